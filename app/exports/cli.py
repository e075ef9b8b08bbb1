"""`assay export …`: one sub-command per export, all in the `export` group: the register workbook,
`report ASSESSMENT_ID --out FILE.pdf` and `portfolio --out FILE.pdf [--org SLUG]` (the PDF reports,
audited like the downloads).

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

CLI_ACTOR = "assay export (command line)"


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


def organisation_for(*, session, slug: str | None):
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
    from app.register.service import RegisterFilters
    from app.register.workbook import write_register_workbook

    engine = connect(load_settings())
    with session_scope(engine) as session:
        organisation = organisation_for(session=session, slug=args.org)
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


def _write(path: Path, content: bytes) -> None:
    """Write inside the unit of work: a file that cannot be written leaves no audit event."""

    try:
        path.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assessment_id", type=int, help="the assessment's number")
    parser.add_argument("--out", required=True, type=Path, help="the .pdf file to write")


def _run_report(args: argparse.Namespace) -> None:
    from app.db import session_scope
    from app.exports.reports import export_assessment_report
    from app.models import Assessment

    engine = connect(load_settings())
    with session_scope(engine) as session:
        assessment = session.get(Assessment, args.assessment_id)
        if assessment is None:
            raise CommandError(f"no assessment {args.assessment_id}")
        report = export_assessment_report(
            session=session,
            organisation_id=assessment.organisation_id,
            assessment_id=assessment.id,
            actor=None,
            generated_by=CLI_ACTOR,
        )
        _write(args.out, report.content)
    print(f"Wrote {args.out} (assessment {args.assessment_id}, {len(report.content):,} bytes).")


def _portfolio_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="the .pdf file to write")
    parser.add_argument("--org", help="organisation slug (default: the only organisation)")


def _run_portfolio(args: argparse.Namespace) -> None:
    from app.db import session_scope
    from app.exports.reports import export_portfolio_report
    from app.register.service import RegisterFilters

    engine = connect(load_settings())
    with session_scope(engine) as session:
        organisation = organisation_for(session=session, slug=args.org)
        report = export_portfolio_report(
            session=session,
            organisation_id=organisation.id,
            filters=RegisterFilters(),
            actor=None,
            generated_by=CLI_ACTOR,
        )
        _write(args.out, report.content)
    print(f"Wrote {args.out} ({organisation.name}, {len(report.content):,} bytes).")


add_exporter(
    Exporter(
        "report",
        "the PDF report of one assessment (score, findings, answers, evidence, audit excerpt)",
        _report_arguments,
        _run_report,
    )
)
add_exporter(
    Exporter(
        "portfolio",
        "the PDF portfolio report (summary charts, register, concentration)",
        _portfolio_arguments,
        _run_portfolio,
    )
)


def register(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export", help="write exports to files")
    export_commands = export.add_subparsers(dest="export_command", required=True)
    for exporter in EXPORTERS:
        parser = export_commands.add_parser(exporter.name, help=exporter.help)
        exporter.add_arguments(parser)
        parser.set_defaults(func=exporter.run)
