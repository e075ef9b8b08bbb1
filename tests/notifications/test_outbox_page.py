"""Settings → Outbox: admins read every email of their organisation (only theirs) with its
delivery state and error, and each message escaped with its Assay links clickable in
development. Delivered over the real loopback SMTP server and the development mail catcher."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.cli import main
from app.models import OutboxEmail
from app.notifications import sender
from app.notifications.catcher import MailCatcherError, catcher_directory, start_mail_catcher
from app.notifications.outbox import HIDDEN_LINK
from app.notifications.service import queue_email
from tests.helpers import login
from tests.smtp import _free_port
from tests.worlds import make_buyer_with_vendor

# The tests' ASSAY_BASE_URL is the default one.
LINK = "http://127.0.0.1:8000/invitations/Zk3xQ9vT2mLpW8rN4sYb7cH1dJ6fGa0eKuIoPqRs"


def invite(session, org_id: int, to: str = "vera@vendor.example", name: str = "Vera"):
    return queue_email(
        session=session,
        to=to,
        subject=f"You are invited, {name}",
        template="vendor_invitation",
        context={
            "name": name,
            "inviter": "Paul",
            "buyer": "Harbour Bank",
            "vendor": "Cobalt",
            "url": LINK,
            "expires": "2026-12-20",
        },
        kind="invitation",
        organisation_id=org_id,
    )


@pytest.fixture
def world(session):
    world = make_buyer_with_vendor(session, "Harbour Bank")
    session.commit()
    return world


@pytest.fixture
def admin(app, world):
    with TestClient(app) as client:
        login(client, world.admin.email)
        yield client


def _row(page: str, email_id: int) -> str:
    match = re.search(rf'<tr id="email-{email_id}">(.*?)</tr>', page, re.S)
    assert match, f"email {email_id} is not listed"
    return match.group(1)


def test_each_state_is_listed_with_its_error(admin, session, engine, settings, world, smtp):
    inbox, port = smtp
    delivered = invite(session, world.org.id, "sent@vendor.example")
    session.commit()
    assert sender.send_pending(engine, settings.model_copy(update={"smtp_port": port})).sent == 1
    assert [m["To"] for m in inbox.messages] == ["sent@vendor.example"]
    retrying = invite(session, world.org.id, "retry@vendor.example")
    session.commit()
    closed = settings.model_copy(update={"smtp_port": _free_port()})  # nothing listens there
    assert sender.send_pending(engine, closed).retrying == 1
    failed = invite(session, world.org.id, "failed@vendor.example")
    failed.attempts = sender.MAX_ATTEMPTS - 1
    session.commit()
    retrying.next_attempt_at = retrying.next_attempt_at.replace(year=2100)  # not due again yet
    session.add(retrying)
    session.commit()
    assert sender.send_pending(engine, closed).failed == 1
    queued = invite(session, world.org.id, "queued@vendor.example")
    session.commit()

    page = admin.get("/settings/outbox").text
    assert "sent" in _row(page, delivered.id) and "1 attempt(s)" in _row(page, delivered.id)
    row = _row(page, retrying.id)
    assert "retrying" in row and "cannot connect to SMTP" in row and "next try" in row
    row = _row(page, failed.id)
    assert ">failed<" in row and "cannot connect to SMTP" in row
    assert ">queued<" in _row(page, queued.id)


def test_an_invitation_is_read_and_its_link_followed(admin, session, world):
    email = invite(session, world.org.id, name="<b>Vera</b>")
    session.commit()
    listing = admin.get("/settings/outbox")
    assert f'href="/settings/outbox/{email.id}"' in listing.text
    assert "&lt;b&gt;Vera&lt;/b&gt;" in listing.text and "<b>Vera</b>" not in listing.text
    page = admin.get(f"/settings/outbox/{email.id}")
    assert page.status_code == 200
    assert f'<a href="{LINK}">{LINK}</a>' in page.text
    assert "Hello &lt;b&gt;Vera&lt;/b&gt;," in page.text
    assert admin.get(LINK.removeprefix("http://127.0.0.1:8000")).status_code in (200, 404, 410)


def test_outside_development_the_links_are_hidden(app, admin, settings, session, world):
    email = invite(session, world.org.id)
    session.commit()
    app.state.settings = settings.model_copy(
        update={"environment": "production", "allowed_hosts": "testserver"}
    )
    page = admin.get(f"/settings/outbox/{email.id}").text
    assert LINK not in page and HIDDEN_LINK in page


def test_links_elsewhere_and_markup_in_a_message_stay_text(admin, session, world):
    email = OutboxEmail(
        organisation_id=world.org.id,
        kind="reminder",
        to_address="x@vendor.example",
        subject="Reminder",
        text_body='See https://evil.example/x and <a href="javascript:alert(1)">this</a>.',
        html_body="",
    )
    session.add(email)
    session.commit()
    page = admin.get(f"/settings/outbox/{email.id}").text
    assert 'href="https://evil.example' not in page and "https://evil.example/x" in page
    assert "&lt;a href=&#34;javascript:alert(1)&#34;&gt;" in page or "&lt;a href=" in page
    assert 'href="javascript' not in page


def test_an_admin_sees_only_their_own_organisation(admin, session, world, rival):
    own = invite(session, world.org.id, "ours@vendor.example")
    theirs = invite(session, rival.org.id, "theirs@vendor.example")
    system = invite(session, None, "nobody@vendor.example")  # no organisation: nobody's
    session.commit()
    page = admin.get("/settings/outbox").text
    assert "ours@vendor.example" in page
    assert "theirs@vendor.example" not in page and "nobody@vendor.example" not in page
    for other in (theirs, system):
        response = admin.get(f"/settings/outbox/{other.id}")
        assert response.status_code == 404 and "theirs@" not in response.text
    assert own.id


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/settings/outbox?page=0", 422),
        ("/settings/outbox?page=-1", 422),
        ("/settings/outbox?page=two", 422),
        ("/settings/outbox?page=99999999999", 422),
        ("/settings/outbox?page=500", 200),  # past the end: the last page
        ("/settings/outbox/abc", 422),
        ("/settings/outbox/99999999999", 422),
        ("/settings/outbox/424242", 404),
    ],
)
def test_bad_addresses_get_a_clear_answer(admin, url, status):
    assert admin.get(url).status_code == status


def test_other_roles_are_told_who_reads_the_outbox(app, world):
    with TestClient(app) as client:
        login(client, world.analyst.email)
        response = client.get("/settings/outbox")
    assert response.status_code == 403 and "Admins can" in response.text


def test_the_mail_catcher_keeps_every_email_and_the_outbox_says_sent(
    admin, session, engine, settings, world
):
    local = settings.model_copy(update={"smtp_port": _free_port()})
    catcher = start_mail_catcher(local)
    assert catcher is not None
    try:
        email = invite(session, world.org.id)
        session.commit()
        assert sender.send_pending(engine, local).sent == 1
        assert start_mail_catcher(local) is None  # the port is taken: mail goes to the first one
    finally:
        catcher.stop()
    [kept] = sorted(catcher_directory(local).glob("*.eml"))
    message = message_from_bytes(kept.read_bytes(), policy=policy.default)
    assert (
        message["To"] == "vera@vendor.example"
        and LINK in message.get_body(("plain",)).get_content()
    )
    assert ">sent<" in _row(admin.get("/settings/outbox").text, email.id)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"smtp_host": "smtp.bank.example"}, "loopback only"),
        ({"smtp_tls": True}, "plain SMTP"),
    ],
)
def test_the_mail_catcher_refuses_what_it_cannot_be(settings, changes, message):
    with pytest.raises(MailCatcherError, match=message):
        start_mail_catcher(settings.model_copy(update={"smtp_port": _free_port(), **changes}))


def test_assay_serve_starts_the_catcher_for_the_server(
    monkeypatch, settings, session, engine, world, capsys
):
    port = _free_port()
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSAY_SMTP_PORT", str(port))
    invite(session, world.org.id)
    session.commit()
    delivered = []

    def serving(*_args, **_kwargs) -> None:  # stands in for uvicorn while the catcher runs
        delivered.append(
            sender.send_pending(engine, settings.model_copy(update={"smtp_port": port}))
        )

    monkeypatch.setattr("uvicorn.run", serving)
    assert main(["serve", "--mail-catcher"]) == 0
    assert f"Mail catcher on 127.0.0.1:{port}" in capsys.readouterr().out
    assert delivered[0].sent == 1
    assert len(list((settings.data_dir / "mail").glob("*.eml"))) == 1
    assert session.exec(select(OutboxEmail.status)).all() == ["sent"]
    monkeypatch.setenv("ASSAY_SMTP_HOST", "mail.bank.example")
    assert main(["serve", "--mail-catcher"]) == 1
    assert "loopback only" in capsys.readouterr().err
