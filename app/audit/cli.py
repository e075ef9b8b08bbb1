"""`assay audit verify`: recompute every hash chain and name the first broken link of each."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from app.commands import CommandError, connect
from app.config import load_settings


def cmd_verify(_args: argparse.Namespace) -> None:
    from app.audit.service import verify

    engine = connect(load_settings())
    with Session(engine) as session:
        report = verify(session=session)
    for problem in report.problems:
        print(f"BROKEN {problem}")
    if not report.ok:
        raise CommandError(
            f"audit trail verification failed: {len(report.problems)} of {report.chains} "
            "chain(s) broken"
        )
    print(f"Audit trail verified: {report.chains} chain(s), {report.events} event(s), intact.")


def register(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="the tamper-evident audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser(
        "verify", help="recompute every hash chain; exit 1 on the first broken link of any"
    ).set_defaults(func=cmd_verify)
