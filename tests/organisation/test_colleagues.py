"""Inviting colleagues from Settings → People: the email goes through a real SMTP server, the test
follows its link, and the new colleague signs in with the role they were invited with."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.service import verify
from app.models import AuditEvent, Invitation, OutboxEmail, Role, User, utcnow
from app.notifications.sender import send_pending
from tests.auth.conftest import body_of
from tests.helpers import csrf_from, login
from tests.smtp import running_mailbox
from tests.worlds import Buyer, make_buyer

PASSWORD_OF_NEW = "lantern copper meadow"


@pytest.fixture
def smtp():
    """The loopback SMTP server (tests/smtp.py): (mailbox, port)."""
    with running_mailbox() as box:
        yield box, box.port


@pytest.fixture
def world(session: Session) -> Buyer:
    built = make_buyer(session, "Acme Bank")
    session.commit()
    return built


def invite(client, email: str, role: str = "risk_analyst", name: str = "Nina Berg"):
    return client.post(
        "/settings/invitations",
        data={"email": email, "name": name, "role": role},
        follow_redirects=False,
    )


def deliver(engine, settings, smtp) -> list:
    inbox, port = smtp
    report = send_pending(engine, settings.model_copy(update={"smtp_port": port}))
    assert report.failed == 0 and report.retrying == 0
    return inbox.messages


def link_path(message) -> str:
    url = re.search(r"https?://\S+/invitations/\S+", body_of(message)).group(0)
    assert url in body_of(message, "html")
    return urlsplit(url).path


def accept(app, path: str, password: str = PASSWORD_OF_NEW, confirm: str | None = None):
    browser = TestClient(app)
    page = browser.get(path)
    match = CSRF.search(page.text)
    token = match.group(1) if match else csrf_from(browser)
    response = browser.post(
        path,
        data={
            "name": "Nina Berg",
            "password": password,
            "password_confirm": password if confirm is None else confirm,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    return browser, page, response


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_admin_invites_and_the_colleague_joins_with_the_role(
    app, client, session, engine, settings, smtp, world
):
    login(client, world.admin.email)
    page = client.get("/settings/people")
    assert "Invite a colleague" in page.text and "assay user create" not in page.text
    assert invite(client, "Nina@Acme.example").status_code == 303
    listed = client.get("/settings/people").text
    assert "nina@acme.example" in listed and "Risk analyst" in listed and "Send again" in listed

    [message] = deliver(engine, settings, smtp)
    assert message["To"] == "nina@acme.example" and "Acme Bank" in message["Subject"]
    path = link_path(message)
    stored = session.exec(select(Invitation)).one()
    assert stored.token_hash != path.rsplit("/", 1)[1] and stored.vendor_id is None

    _, page, weak = accept(app, path, password="aaaaaaaaaaaa")
    assert "join <strong>Acme Bank</strong>" in page.text and "Not a common" in page.text
    assert weak.status_code == 422 and "easy to guess" in weak.text

    browser, _, accepted = accept(app, path)
    assert accepted.status_code == 303
    assert "Welcome" in browser.get("/").text
    session.commit()
    nina = session.exec(select(User).where(User.email == "nina@acme.example")).one()
    assert nina.role == Role.risk_analyst and nina.organisation_id == world.org.id
    assert "nina@acme.example" not in client.get("/settings/people").text.split("Invitations")[1]

    with TestClient(app) as fresh:
        login(fresh, "nina@acme.example", PASSWORD_OF_NEW)
        assert fresh.get("/register", follow_redirects=False).status_code == 200

    reused = TestClient(app).get(path)
    assert reused.status_code == 410 and "already been used" in reused.text
    actions = session.exec(select(AuditEvent.action)).all()
    assert {"user.invited", "user.joined", "user.created"} <= set(actions)
    assert verify(session=session).ok


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
    app, client, session, engine, settings, smtp, world
):
    login(client, world.admin.email)
    invite(client, "omar@acme.example", role="auditor")
    invitation = session.exec(select(Invitation)).one()
    response = client.post(f"/settings/invitations/{invitation.id}/resend", follow_redirects=False)
    assert response.status_code == 303
    first, second = deliver(engine, settings, smtp)
    old, new = link_path(first), link_path(second)
    assert old != new
    assert TestClient(app).get(old).status_code == 404  # the old token is gone
    _, _, accepted = accept(app, new)
    assert accepted.status_code == 303


def test_a_withdrawn_invitation_says_so_and_makes_no_account(app, client, session, world):
    login(client, world.admin.email)
    invite(client, "pia@acme.example")
    email = session.exec(select(OutboxEmail)).one()
    path = urlsplit(re.search(r"https?://\S+/invitations/\S+", email.text_body)[0]).path
    invitation = session.exec(select(Invitation)).one()
    assert client.post(f"/settings/invitations/{invitation.id}/revoke").status_code == 200
    assert "pia@acme.example" not in client.get("/settings/people").text
    page = TestClient(app).get(path)
    assert page.status_code == 410 and "withdrawn" in page.text
    _, _, refused = accept(app, path)
    assert refused.status_code == 410
    assert session.exec(select(User).where(User.email == "pia@acme.example")).first() is None
    again = client.post(f"/settings/invitations/{invitation.id}/revoke", follow_redirects=False)
    assert again.status_code == 409


def test_expired_and_tampered_invitation_links(app, client, session, world):
    login(client, world.admin.email)
    invite(client, "quinn@acme.example")
    email = session.exec(select(OutboxEmail)).one()
    path = urlsplit(re.search(r"https?://\S+/invitations/\S+", email.text_body)[0]).path
    tampered = TestClient(app).get(path[:-2] + "zz")
    assert tampered.status_code == 404 and "not valid" in tampered.text
    invitation = session.exec(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.add(invitation)
    session.commit()
    expired = TestClient(app).get(path)
    assert expired.status_code == 410 and "expired" in expired.text
    assert "expired" in client.get("/settings/people").text  # listed, to send again
    _, _, refused = accept(app, path)
    assert refused.status_code == 410
    assert session.exec(select(User).where(User.email == "quinn@acme.example")).first() is None


def test_an_address_of_another_organisation_answers_like_any_other(app, client, session, world):
    rival = make_buyer(session, "Rival Bank")
    session.commit()
    login(client, world.admin.email)
    answers = []
    for email in (rival.analyst.email, "unknown.person@acme.example"):
        response = client.post(
            "/settings/invitations",
            data={"email": email, "role": "auditor"},
            follow_redirects=False,
        )
        flash = client.get("/settings/people").text
        answers.append((response.status_code, f"Invitation sent to {email}." in flash))
    assert answers[0] == answers[1] == (303, True)
    # the person invited learns it on the page only they can open
    email = session.exec(
        select(OutboxEmail).where(OutboxEmail.to_address == rival.analyst.email)
    ).one()
    path = urlsplit(re.search(r"https?://\S+/invitations/\S+", email.text_body)[0]).path
    page = TestClient(app).get(path)
    assert "already has an Assay account" in page.text and "Rival" not in page.text
    _, _, refused = accept(app, path)
    assert refused.status_code == 422
    session.commit()
    session.refresh(rival.analyst)
    assert rival.analyst.organisation_id == rival.org.id


def test_bad_invitations_are_refused_beside_the_field(client, session, world):
    login(client, world.admin.email)
    not_email = invite(client, "not-an-email")
    assert not_email.status_code == 422 and "valid email" in not_email.text
    vendor_role = invite(client, "vic@acme.example", role="vendor_admin")
    assert vendor_role.status_code == 422 and "roles of your organisation" in vendor_role.text
    colleague = invite(client, world.analyst.email)
    assert colleague.status_code == 409 and "already in your organisation" in colleague.text
    assert session.exec(select(Invitation)).all() == []


def test_another_tenants_invitation_cannot_be_resent_or_withdrawn(client, session, world):
    rival = make_buyer(session, "Rival Bank")
    session.commit()
    with TestClient(client.app) as theirs:
        login(theirs, rival.admin.email)
        invite(theirs, "secret.hire@rival.example")
    invitation = session.exec(select(Invitation)).one()
    login(client, world.admin.email)
    for action in ("resend", "revoke"):
        response = client.post(f"/settings/invitations/{invitation.id}/{action}")
        assert response.status_code == 404 and "secret.hire" not in response.text
    session.refresh(invitation)
    assert invitation.revoked_at is None
