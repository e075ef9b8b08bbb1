"""`assay export …`: one sub-command per export, all in the `export` group.

Each exporter is an (name, help, add_arguments, run) entry in EXPORTERS; another module adds its
own by calling `add_exporter(...)` at import time (`app/cli.py` imports every domain's `cli.py`
before it builds the parser).
`register(commands)` creates the group once from whatever EXPORTERS holds.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.commands import CommandError, connect
from app.config import load_settings


@dataclass(frozen=True)
class Exporter:
    name: str  # the sub-command: `assay export <name>`
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], None]


EXPORTERS: list[Exporter] = []


def add_exporter(exporter: Exporter) -> Exporter:
    """Register an exporter (idempotent by name)."""
    if all(e.name != exporter.name for e in EXPORTERS):
        EXPORTERS.append(exporter)
    return exporter


def _register_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
    parser.add_argument("--org", help="organisation slug (default: the only organisation)")


def organisation_for(session, slug: str | None):
    """The organisation named by --org, or the only one there is (CommandError otherwise)."""
    from sqlmodel import select

    from app.models import Organisation

    query = select(Organisation).order_by(Organisation.id)
    if slug:
        query = query.where(Organisation.slug == slug)
    organisations = session.exec(query).all()
    if not organisations:
        raise CommandError(f"no organisation {slug!r}" if slug else "no organisation")
    if len(organisations) > 1:
        raise CommandError("several organisations: say which with --org SLUG")
    return organisations[0]


def _run_register(args: argparse.Namespace) -> None:
    from app.db import session_scope
    from app.exports.register_xlsx import write_register_workbook
    from app.register.service import RegisterFilters

    engine = connect(load_settings())
    with session_scope(engine) as session:
        organisation = organisation_for(session, args.org)
        with args.out.open("wb") as out:
            rows = write_register_workbook(
                out,
                session=session,
                organisation_id=organisation.id,
                filters=RegisterFilters(),
                generated_by="assay export register (command line)",
            )
    print(f"Wrote {args.out} ({rows} vendor(s)).")


add_exporter(
    Exporter(
        "register",
        "the risk register workbook (vendors, findings, maturity, AI systems, evidence)",
        _register_arguments,
        _run_register,
    )
)


def register(commands: argparse._SubParsersAction) -> None:
    import app.exports.report_cli  # noqa: F401  (adds the PDF report exporters)

    export = commands.add_parser("export", help="write exports to files")
    export_commands = export.add_subparsers(dest="export_command", required=True)
    for exporter in EXPORTERS:
        parser = export_commands.add_parser(exporter.name, help=exporter.help)
        exporter.add_arguments(parser)
        parser.set_defaults(func=exporter.run)
