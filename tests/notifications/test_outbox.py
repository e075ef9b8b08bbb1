"""The outbox: queued in the transaction, delivered over SMTP, retried with back-off, then failed."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlmodel import select

from app.cli import main
from app.models import OutboxEmail, OutboxStatus, utcnow
from app.notifications import sender
from app.notifications.service import queue_email
from tests.auth.conftest import body_of


def queue(session, to="vendor@example.com") -> OutboxEmail:
    email = queue_email(
        session=session,
        to=to,
        subject="You are invited",
        template="vendor_invitation",
        context={
            "name": "<Vera>",
            "inviter": "Paul",
            "buyer": "Bank",
            "vendor": "V",
            "url": "http://x/i/t",
            "expires": "soon",
        },
        kind="invitation",
    )
    session.commit()
    return email


def test_rendered_from_text_and_html_templates(session):
    email = queue(session)
    assert "Hello <Vera>" in email.text_body and "Hello &lt;Vera&gt;" in email.html_body


def test_delivered_over_smtp(session, engine, settings, smtp):
    inbox, port = smtp
    queue(session)
    report = sender.send_pending(engine, settings.model_copy(update={"smtp_port": port}))
    assert report.sent == 1
    [message] = inbox.messages
    assert message["To"] == "vendor@example.com" and "http://x/i/t" in body_of(message)
    session.commit()
    email = session.exec(select(OutboxEmail)).one()
    assert email.status == OutboxStatus.sent and email.sent_at is not None
    assert sender.send_pending(engine, settings.model_copy(update={"smtp_port": port})).sent == 0


def test_back_off_then_failed_after_the_last_attempt(session, engine, settings):
    queue(session)
    delays = []
    for attempt in range(1, sender.MAX_ATTEMPTS + 1):
        report = sender.send_pending(engine, settings)  # port 1: connection refused
        session.commit()
        session.expire_all()
        email = session.exec(select(OutboxEmail)).one()
        assert email.attempts == attempt and email.last_error
        if attempt < sender.MAX_ATTEMPTS:
            assert report.retrying == 1 and email.status == OutboxStatus.pending
            delays.append(email.next_attempt_at - utcnow())
            email.next_attempt_at = utcnow() - timedelta(seconds=1)  # time passes
            session.add(email)
            session.commit()
        else:
            assert report.failed == 1 and email.status == OutboxStatus.failed
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))


def test_cli_sends(session, settings, smtp, monkeypatch, capsys):
    inbox, port = smtp
    queue(session)
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_SMTP_PORT", str(port))
    assert main(["outbox", "send"]) == 0
    assert "Sent 1" in capsys.readouterr().out and len(inbox.messages) == 1
