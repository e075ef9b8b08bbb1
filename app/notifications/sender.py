"""Deliver queued emails over SMTP, retrying with exponential back-off.

Rows are claimed in a short transaction (their next attempt is pushed past a lease), sent with no
transaction open, then the outcome is recorded: a slow SMTP server never holds a database lock.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import Engine
from sqlmodel import select

from app.config import Settings
from app.db import session_scope
from app.models import OutboxEmail, OutboxStatus, utcnow

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, capped at six hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)


def _message(email: OutboxEmail, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="assay.local")
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    return message


def _connect(settings: Settings) -> smtplib.SMTP:
    if settings.smtp_tls and settings.smtp_port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=30, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
        if settings.smtp_tls:
            smtp.starttls(context=ssl.create_default_context())
    if settings.smtp_user:
        smtp.login(settings.smtp_user, settings.smtp_password or "")
    return smtp


def _claim(engine: Engine, now: datetime, limit: int) -> list[OutboxEmail]:
    with session_scope(engine) as session:
        due = session.exec(
            select(OutboxEmail)
            .where(OutboxEmail.status == OutboxStatus.pending, OutboxEmail.next_attempt_at <= now)
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for email in due:
            email.next_attempt_at = now + LEASE
            session.add(email)
    return list(due)


def send_pending(engine: Engine, settings: Settings, *, limit: int = 100) -> SendReport:
    """Send every due email once; failures are retried later, then marked failed."""
    claimed = _claim(engine, utcnow(), limit)
    if not claimed:
        return SendReport()
    errors: dict[int, str] = {}
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        errors = {email.id: f"cannot connect to SMTP: {exc}" for email in claimed}
    else:
        with smtp:
            for email in claimed:
                try:
                    smtp.send_message(_message(email, settings))
                except (OSError, smtplib.SMTPException) as exc:
                    errors[email.id] = str(exc) or type(exc).__name__
    return _record_outcomes(engine, claimed, errors)


def _record_outcomes(
    engine: Engine, claimed: list[OutboxEmail], errors: dict[int, str]
) -> SendReport:
    sent = retrying = failed = 0
    now = utcnow()
    with session_scope(engine) as session:
        for claimed_email in claimed:
            email = session.get(OutboxEmail, claimed_email.id)
            if email is None:
                continue
            email.attempts += 1
            if email.id not in errors:
                email.status = OutboxStatus.sent
                email.sent_at = now
                email.last_error = None
                sent += 1
            else:
                email.last_error = errors[email.id][:1000]
                if email.attempts >= MAX_ATTEMPTS:
                    email.status = OutboxStatus.failed
                    failed += 1
                else:
                    email.next_attempt_at = now + retry_delay(email.attempts)
                    retrying += 1
            session.add(email)
    return SendReport(sent=sent, retrying=retrying, failed=failed)
