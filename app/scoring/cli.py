"""`assay score --all`: re-score every vendor's latest submitted assessment as of today;
`assay score --verify`: recompute every current score from its stored inputs and compare."""

from __future__ import annotations

import argparse

from app.commands import CommandError, connect
from app.config import load_settings


def cmd_score(args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.db import session_scope
    from app.scoring import MODEL_VERSION
    from app.scoring.service import score_all, verify_scores

    engine = connect(load_settings())
    if args.verify:
        with Session(engine) as session:
            checked, differ, older = verify_scores(session=session)
        if differ:
            raise CommandError(f"{len(differ)} stored score(s) differ when recomputed: {differ}")
        print(f"{checked} current score(s) recomputed from their stored inputs: identical.")
        if older:
            print(
                f"{len(older)} current score(s) were computed by an older scoring model and "
                f"are readable as they are, not recomputed: {older}. "
                f"Run `assay score --all` to score them with model {MODEL_VERSION}."
            )
        return
    if not args.all:
        raise CommandError("say --all to re-score every vendor, or --verify")
    with session_scope(engine) as session:
        count = score_all(session=session)
    print(f"Scored {count} assessment(s).")


def register(commands: argparse._SubParsersAction) -> None:
    score = commands.add_parser("score", help="score assessments with the current model")
    score.add_argument(
        "--all", action="store_true", help="re-score each vendor's latest submitted assessment"
    )
    score.add_argument(
        "--verify", action="store_true", help="recompute current scores from stored inputs"
    )
    score.set_defaults(func=cmd_score)
