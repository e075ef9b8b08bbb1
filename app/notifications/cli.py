"""`assay outbox send`: deliver due emails now (cron, or by hand after an SMTP outage)."""

from __future__ import annotations

import argparse

from app.commands import connect
from app.config import load_settings


def cmd_outbox_send(_args: argparse.Namespace) -> None:
    from app.notifications.sender import send_pending

    settings = load_settings()
    report = send_pending(connect(settings), settings)
    print(f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}.")


def register(commands) -> None:
    outbox = commands.add_parser("outbox", help="email outbox")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_commands.add_parser("send", help="send due emails now").set_defaults(
        func=cmd_outbox_send
    )
