"""`assay evidence verify`: re-hash every stored evidence file against the hash it was filed under."""

from __future__ import annotations

import argparse

from app.commands import CommandError, connect
from app.config import load_settings


def cmd_verify(_args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.evidence.service import verify_blobs
    from app.evidence.storage import store_for

    settings = load_settings()
    engine = connect(settings)
    store = store_for(settings)
    with Session(engine) as session:
        report = verify_blobs(session=session, store=store)
    for problem in report.problems:
        print(problem)
    if report.unreferenced:
        print(f"{len(report.unreferenced)} stored file(s) are not used by any evidence (harmless).")
    if not report.ok:
        raise CommandError(
            f"{len(report.problems)} of {report.checked} evidence file(s) are missing or altered"
        )
    print(f"All {report.checked} evidence file(s) match their SHA-256.")


def register(commands) -> None:
    evidence = commands.add_parser("evidence", help="evidence file integrity")
    evidence_commands = evidence.add_subparsers(dest="evidence_command", required=True)
    evidence_commands.add_parser(
        "verify", help="re-hash every evidence file; exit 1 if any is missing or altered"
    ).set_defaults(func=cmd_verify)
