"""`assay questionnaires check | coverage | diff | publish`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands import CommandError, connect
from app.config import load_settings
from app.questionnaires.coverage import coverage_matrix, gaps, write_coverage_xlsx
from app.questionnaires.diff import diff_questionnaires, render_diff
from app.questionnaires.loader import QuestionnaireError, load_all, load_questionnaire
from app.questionnaires.service import LIBRARY_DIR

# The parts whose full coverage the library promises (the "done when" of the questionnaire).
REQUIRED_COVERAGE = (
    {"framework": "iso42001", "part": "annex_a"},
    {"framework": "iso42001", "part": "clauses"},
    {"framework": "dora", "under": "Art. 30(2)"},
    {"framework": "dora", "under": "Art. 30(3)"},
    {"framework": "ai_act"},
)


def _fail(message: str) -> None:

    raise CommandError(message)


def cmd_check(args: argparse.Namespace) -> None:
    try:
        definitions = load_all(args.directory)
    except QuestionnaireError as exc:
        for problem in exc.problems:
            print(problem)
        _fail(f"{len(exc.problems)} problem(s) in {args.directory}")
    for definition in definitions:
        print(f"ok  {definition.key} v{definition.version}: {definition.question_count} questions")


def cmd_coverage(args: argparse.Namespace) -> None:
    definitions = load_all(args.directory)
    rows = coverage_matrix(definitions)
    missing = []
    for selector in REQUIRED_COVERAGE:
        missing += gaps(rows, **selector)
    if not args.summary:
        for row in rows:
            keys = ", ".join(dict.fromkeys(row.question_keys)) or "—"
            print(
                f"{row.reference.framework:<9} {row.reference.id:<18} {len(row.covered_by):>3}  {keys}"
            )
        print()
    covered = sum(row.covered for row in rows)
    print(f"{covered} of {len(rows)} framework items covered")
    for row in gaps(rows):
        flag = "GAP (required)" if row in missing else "gap"
        print(
            f"  {flag:<15} {row.reference.framework:<9} {row.reference.id:<18} {row.reference.title}"
        )
    if args.out:
        write_coverage_xlsx(rows, args.out)
        print(f"Coverage matrix written to {args.out}")
    if missing:
        _fail(f"{len(missing)} required item(s) not covered")


def cmd_diff(args: argparse.Namespace) -> None:
    a, b = load_questionnaire(args.a), load_questionnaire(args.b)
    print(render_diff(diff_questionnaires(a, b), a, b))


def cmd_publish(_args: argparse.Namespace) -> None:
    from app.db import session_scope
    from app.questionnaires.service import publish_library

    with session_scope(connect(load_settings())) as session:
        for row in publish_library(session=session):
            print(
                f"published {row.key} v{row.version} ({row.content_hash[:12]}): "
                f"{row.question_count} questions"
            )


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("questionnaires", help="questionnaire library tools")
    sub = group.add_subparsers(dest="questionnaires_command", required=True)
    check = sub.add_parser("check", help="validate every questionnaire file")
    check.add_argument("directory", nargs="?", type=Path, default=LIBRARY_DIR)
    check.set_defaults(func=cmd_check)
    coverage = sub.add_parser("coverage", help="framework coverage matrix (and gaps)")
    coverage.add_argument("directory", nargs="?", type=Path, default=LIBRARY_DIR)
    coverage.add_argument("--out", type=Path, help="write the matrix to this .xlsx file")
    coverage.add_argument(
        "--summary", action="store_true", help="print only the totals and the gaps, not the matrix"
    )
    coverage.set_defaults(func=cmd_coverage)
    diff = sub.add_parser("diff", help="added, removed and changed questions between two files")
    diff.add_argument("a", type=Path)
    diff.add_argument("b", type=Path)
    diff.set_defaults(func=cmd_diff)
    sub.add_parser("publish", help="store every file as an immutable version").set_defaults(
        func=cmd_publish
    )
