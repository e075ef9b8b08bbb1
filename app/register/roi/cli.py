"""`assay export roi --out FILE.zip|FILE.xlsx [--org SLUG] [--draft] [--ref-date YYYY-MM-DD]
[--taxonomy RELEASE] [--level CON|LEI]` and `assay lei import FILE`.

The exporter joins the `export` group at import time (`app/cli.py` imports this module before
`app.exports.cli` builds the group). An invalid register is
refused: each problem on its own line on stderr, exit status 1, no file written.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.commands import CommandError, connect
from app.config import load_settings
from app.errors import InvalidInput
from app.exports.cli import Exporter, add_exporter, organisation_for
from app.register.roi.taxonomy import DEFAULT_RELEASE, TAXONOMIES, TaxonomyError

CLI_ACTOR = "assay export roi (command line)"


def _ref_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        help="FILE.zip for the xBRL-CSV report package, FILE.xlsx for the review workbook",
    )
    parser.add_argument("--org", help="organisation slug (default: the only organisation)")
    parser.add_argument(
        "--draft",
        action="store_true",
        help="write even when blocking problems exist (a draft, not for submission)",
    )
    parser.add_argument(
        "--ref-date",
        type=_ref_date,
        help="reference date YYYY-MM-DD (default: 31 December of last year)",
    )
    parser.add_argument(
        "--taxonomy",
        help="DORA taxonomy release (default: the organisation's setting, else "
        f"{DEFAULT_RELEASE}; known: {', '.join(TAXONOMIES)})",
    )
    parser.add_argument(
        "--level",
        help="CON for the group's consolidated register, or an entity's LEI for its individual "
        "one (default: the entity maintaining the register, individually)",
    )


def _run(args: argparse.Namespace) -> None:
    from app.db import session_scope
    from app.register.roi.service import FORMATS, RegisterInvalid, export_roi

    fmt = args.out.suffix.lower().removeprefix(".")
    if fmt not in FORMATS:
        raise CommandError("--out must end in .zip (xBRL-CSV package) or .xlsx (workbook)")
    settings = load_settings()
    engine = connect(settings)
    with session_scope(engine) as session:
        organisation = organisation_for(session=session, slug=args.org)
        try:
            export = export_roi(
                session=session,
                organisation_id=organisation.id,
                fmt=fmt,
                actor=None,
                generated_by=CLI_ACTOR,
                draft=args.draft,
                ref_date=args.ref_date,
                base_url=settings.base_url,
                release=args.taxonomy,
                level=args.level,
            )
        except (TaxonomyError, InvalidInput) as exc:
            raise CommandError(str(exc)) from None
        except RegisterInvalid as exc:
            for problem in exc.report.problems:
                print(f"{problem.severity}: {problem.line()}", file=sys.stderr)
            raise CommandError(
                f"{len(exc.report.blocking)} blocking problem(s): nothing written "
                "(fix them, or write a draft with --draft)"
            ) from None
        with export.file:
            try:
                args.out.write_bytes(export.file.read())
            except OSError as exc:
                raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        for problem in export.report.problems:
            print(f"warning: {problem.line()}", file=sys.stderr)
    report = export.report
    print(
        f"Wrote {args.out} ({'consolidated' if report.built.level == 'CON' else 'individual'}"
        f" level, {report.built.data.entity.name}): "
        f"{len(report.built.tables['B_02.01'])} arrangement(s) as at "
        f"{report.built.data.ref_date.isoformat()}, {len(report.blocking)} blocking problem(s), "
        f"{len(report.warnings)} warning(s)."
    )
    if fmt == "zip":
        print(f"File name for submission (EBA convention): {export.filename}")


add_exporter(
    Exporter(
        "roi",
        "the DORA Register of Information (xBRL-CSV package .zip, or review workbook .xlsx)",
        _arguments,
        _run,
    )
)


def _import_lei(args: argparse.Namespace) -> None:
    from app.db import session_scope
    from app.register.roi.lei import LeiFileError, import_golden_copy

    settings = load_settings()
    engine = connect(settings)
    try:
        with args.file.open("rb") as file, session_scope(engine) as session:
            result = import_golden_copy(session=session, file=file)
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except (LeiFileError, UnicodeDecodeError) as exc:
        raise CommandError(f"{args.file}: {exc}; nothing imported") from None
    print(
        f"Imported {result.rows} LEI(s) from {args.file}: {result.added} new, "
        f"{result.updated} updated. The register now checks LEI status against them."
    )


def register(commands: argparse._SubParsersAction) -> None:
    """`assay lei import FILE` (the `roi` exporter itself is part of the `export` group)."""
    lei = commands.add_parser("lei", help="LEI reference data for the Register of Information")
    actions = lei.add_subparsers(dest="lei_command", required=True)
    importer = actions.add_parser(
        "import",
        help="import a GLEIF golden-copy CSV (LEI, legal name, status, next renewal) so LEI "
        "status is checked offline at export",
    )
    importer.add_argument("file", type=Path, help="the golden-copy CSV file")
    importer.set_defaults(func=_import_lei)
