"""`assay remind` and `assay reassess`: the periodic jobs, for cron when the web app's
background task is off (or to run them by hand)."""

from __future__ import annotations

import argparse
from datetime import date

from app.commands import connect
from app.config import load_settings


def _today(args: argparse.Namespace) -> date | None:
    return date.fromisoformat(args.today) if args.today else None


def cmd_remind(args: argparse.Namespace) -> None:
    from app.assessments.reminders import send_reminders
    from app.notifications.sender import send_pending

    settings = load_settings()
    engine = connect(settings)
    report = send_reminders(engine, settings, today=_today(args))
    print(
        f"Queued {report.sent} reminder(s) ({report.emails} email(s)); {report.already_sent} already sent."
    )
    if not args.no_send:
        sent = send_pending(engine, settings)
        print(f"Sent {sent.sent}, retrying later {sent.retrying}, failed {sent.failed}.")


def cmd_reassess(args: argparse.Namespace) -> None:
    from app.assessments.reassessment import run_reassessments
    from app.notifications.sender import send_pending

    settings = load_settings()
    engine = connect(settings)
    started = run_reassessments(engine, settings, today=_today(args))
    for item in started:
        print(
            f"Vendor {item.vendor_id}: assessment {item.assessment_id} sent "
            f"({item.prefilled} answer(s) carried over)."
        )
    print(f"Started {len(started)} re-assessment(s).")
    if not args.no_send:
        send_pending(engine, settings)


def register(commands) -> None:
    for name, func, help_text in (
        ("remind", cmd_remind, "send due-date and overdue reminders (each threshold once)"),
        ("reassess", cmd_reassess, "re-send questionnaires to vendors whose review is due"),
    ):
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("--today", help="run as if today were YYYY-MM-DD")
        parser.add_argument(
            "--no-send", action="store_true", help="only queue the emails (outbox send delivers)"
        )
        parser.set_defaults(func=func)
