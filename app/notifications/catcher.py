"""A local mail catcher for development: an SMTP server on loopback that accepts every email
and keeps it as a file in `<data dir>/mail/`, so a fresh machine delivers the outbox (and the
demo's invitations) without a real mail server. Admins read the same emails on Settings → Outbox.

Started by `assay serve --mail-catcher` (what `make run` does), in a thread beside the server.
"""

from __future__ import annotations

import errno
import ipaddress
import itertools
import socket
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller

from app.config import Settings

_sequence = itertools.count(1)


class MailCatcherError(RuntimeError):
    """The catcher cannot start; the message says why and what to do."""


@dataclass
class CatchingHandler:
    """aiosmtpd handler: each message becomes one .eml file, named so they sort by arrival."""

    directory: Path

    async def handle_DATA(self, server, session, envelope) -> str:
        from app.models import utcnow

        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S%f}-{next(_sequence):04d}.eml"
        (self.directory / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def catcher_directory(settings: Settings) -> Path:
    return settings.data_dir / "mail"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def start_mail_catcher(settings: Settings) -> Controller | None:
    """Listen on ASSAY_SMTP_HOST:PORT; None when something listens there already (a catcher
    of one's own, or an earlier server): mail then goes to it."""
    host, port = settings.smtp_host, settings.smtp_port
    if not _loopback(host):
        raise MailCatcherError(
            f"the mail catcher listens on loopback only, but ASSAY_SMTP_HOST is {host!r}"
        )
    if settings.smtp_tls or settings.smtp_user:
        raise MailCatcherError(
            "the mail catcher speaks plain SMTP: unset ASSAY_SMTP_TLS and ASSAY_SMTP_USER"
        )
    if _port_taken(host, port):
        return None
    controller = Controller(CatchingHandler(catcher_directory(settings)), hostname=host, port=port)
    controller.start()
    return controller
