"""`assay export report ASSESSMENT_ID --out FILE.pdf` and `assay export portfolio --out FILE.pdf
[--org SLUG]`: the PDF reports from the command line, audited like the downloads."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands import CommandError, connect
from app.config import load_settings
from app.exports.cli import Exporter, add_exporter, organisation_for

CLI_ACTOR = "assay export (command line)"


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
        organisation = organisation_for(session, args.org)
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
