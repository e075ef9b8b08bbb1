"""Vendor invitations: the email goes through a real SMTP server and the test follows its link."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.auth.invitations import invite_vendor_contact
from app.models import (
    Invitation,
    Organisation,
    OutboxEmail,
    OutboxStatus,
    Role,
    User,
    VendorContact,
    utcnow,
)
from app.notifications.sender import send_pending
from tests.auth.conftest import body_of
from tests.factories import make_org, make_user, make_vendor, make_vendor_user
from tests.helpers import csrf_from, login

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def buyer(session):
    org = make_org(session, name="Harbour Bank")
    procurement = make_user(session, org, Role.procurement, email="paul@bank.example")
    vendor = make_vendor(session, org, "Cobalt Cloud SE")
    session.commit()
    return procurement, vendor


def deliver(engine, settings, smtp) -> list:
    inbox, port = smtp
    report = send_pending(engine, settings.model_copy(update={"smtp_port": port}))
    assert report.failed == 0 and report.retrying == 0
    return inbox.messages


def link_path(message) -> str:
    url = re.search(r"https?://\S+/invitations/\S+", body_of(message)).group(0)
    assert url in body_of(message, "html")
    return urlsplit(url).path


def accept(app, path: str, name: str = "Vera Novak", password: str = NEW_PASSWORD):
    browser = TestClient(app)
    page = browser.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = browser.post(
        path,
        data={
            "name": name,
            "password": password,
            "password_confirm": password,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    return browser, page, response


def test_procurement_invites_and_the_contact_signs_up_from_the_email(
    app, client, session, engine, settings, smtp, buyer
):
    procurement, vendor = buyer
    login(client, procurement.email)
    response = client.post(
        "/vendor-invitations",
        data={
            "vendor_id": vendor.id,
            "email": "Vera@Cobalt.example",
            "name": "Vera",
            "role": "vendor_admin",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "vera@cobalt.example" in client.get("/vendor-invitations").text

    [message] = deliver(engine, settings, smtp)
    assert message["To"] == "vera@cobalt.example" and "Harbour Bank" in message["Subject"]
    path = link_path(message)
    token = path.rsplit("/", 1)[1]
    assert session.exec(select(Invitation)).one().token_hash != token
    assert token not in str(session.exec(select(Invitation)).one().model_dump(warnings=False))

    browser, page, accepted = accept(app, path)
    assert "Create my account" in page.text
    assert accepted.status_code == 303
    assert "Welcome" in browser.get("/").text
    session.commit()  # end the test session's read snapshot
    user = session.exec(select(User).where(User.email == "vera@cobalt.example")).one()
    assert user.role == Role.vendor_admin and user.organisation_id is None
    contact = session.exec(select(VendorContact).where(VendorContact.vendor_id == vendor.id)).one()
    assert contact.user_id == user.id

    reused = TestClient(app).get(path)
    assert reused.status_code == 410 and "already been used" in reused.text
    assert "Traceback" not in reused.text


def test_forged_and_expired_links_get_a_clear_page(app, client, session, buyer):
    procurement, vendor = buyer
    invitation, url = invite_vendor_contact(
        session=session, actor=procurement, vendor=vendor, email="x@cobalt.example", name="X"
    )
    session.commit()
    forged = client.get("/invitations/not-a-real-token")
    assert forged.status_code == 404 and "not valid" in forged.text

    invitation.expires_at = utcnow() - timedelta(minutes=1)
    session.add(invitation)
    session.commit()
    expired = client.get(urlsplit(url).path)
    assert expired.status_code == 410 and "expired" in expired.text
    assert (
        client.post(
            urlsplit(url).path, data={"password": NEW_PASSWORD, "csrf_token": csrf_from(client)}
        ).status_code
        == 410
    )


def test_existing_vendor_user_accepts_with_their_password(app, session, buyer):
    procurement, vendor = buyer
    other_org = make_org(session)
    other_vendor = make_vendor(session, other_org, "Cobalt Cloud SE")
    existing = make_vendor_user(
        session, other_vendor, Role.vendor_contact, email="chen@cobalt.example"
    )
    _, url = invite_vendor_contact(
        session=session, actor=procurement, vendor=vendor, email="chen@cobalt.example", name="Chen"
    )
    session.commit()
    _, page, wrong = accept(app, urlsplit(url).path, password="not my password!")
    assert "already have an Assay account" in page.text and wrong.status_code == 422
    _, _, ok = accept(app, urlsplit(url).path, password="correct horse battery")
    assert ok.status_code == 303
    session.commit()
    contacts = session.exec(select(VendorContact).where(VendorContact.user_id == existing.id)).all()
    assert {c.vendor_id for c in contacts} == {vendor.id, other_vendor.id}


def test_vendor_admin_invites_and_removes_colleagues(
    app, client, session, engine, settings, smtp, buyer
):
    _, vendor = buyer
    admin = make_vendor_user(session, vendor, Role.vendor_admin)
    session.commit()
    login(client, admin.email)
    assert (
        client.post(
            "/vendor-team/invite",
            data={"vendor_id": vendor.id, "email": "dev@cobalt.example", "name": "Dev"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    [message] = deliver(engine, settings, smtp)
    browser, _, accepted = accept(app, link_path(message), name="Dev")
    assert accepted.status_code == 303 and browser.get("/").status_code == 200

    team = client.get("/vendor-team").text
    assert "dev@cobalt.example" in team and "signed up" in team
    contact = session.exec(
        select(VendorContact).where(VendorContact.email == "dev@cobalt.example")
    ).one()
    assert (
        client.post(f"/vendor-team/{contact.id}/remove", follow_redirects=False).status_code == 303
    )
    assert browser.get("/", follow_redirects=False).status_code == 303  # their session ended
    session.commit()
    assert (
        session.exec(select(User).where(User.email == "dev@cobalt.example")).one().active is False
    )


def test_vendor_admin_cannot_touch_another_vendors_team(client, session, buyer):
    _, vendor = buyer
    admin = make_vendor_user(session, vendor, Role.vendor_admin)
    other_vendor = make_vendor(session, make_org(session), "Rival Ltd")
    rival = make_vendor_user(session, other_vendor, Role.vendor_contact)
    same_buyer_vendor = make_vendor(session, session.get(Organisation, vendor.organisation_id))
    session.commit()
    login(client, admin.email)
    rival_contact = session.exec(
        select(VendorContact).where(VendorContact.user_id == rival.id)
    ).one()
    assert client.post(f"/vendor-team/{rival_contact.id}/remove").status_code == 404
    for target in (other_vendor, same_buyer_vendor):
        invite = client.post(
            "/vendor-team/invite", data={"vendor_id": target.id, "email": "a@b.example"}
        )
        assert invite.status_code == 404 and "Rival" not in invite.text
    assert "Rival" not in client.get("/vendor-team").text
    assert session.exec(select(OutboxEmail)).all() == []


def test_unreachable_smtp_retries_with_backoff_then_fails(engine, settings, session, buyer):
    procurement, vendor = buyer
    invite_vendor_contact(
        session=session, actor=procurement, vendor=vendor, email="y@cobalt.example", name="Y"
    )
    session.commit()
    first = send_pending(engine, settings)  # settings point at port 1: nobody listens
    assert first.retrying == 1
    email = session.exec(select(OutboxEmail)).one()
    assert (
        email.attempts == 1
        and email.status == OutboxStatus.pending
        and "connect" in email.last_error
    )
    assert email.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert send_pending(engine, settings).retrying == 0  # not due yet


def test_an_address_of_a_buyer_elsewhere_is_invited_like_any_other(app, client, session, buyer):
    """No cross-tenant probe: the answer does not say the email belongs to a buyer account; only
    the person invited learns, on the page their link opens, that it cannot be accepted."""
    procurement, vendor = buyer
    other_bank_staff = make_user(session, make_org(session, name="Rival Bank"), Role.auditor)
    session.commit()
    login(client, procurement.email)
    answers = []
    for email in (other_bank_staff.email, "fresh.person@cobalt.example"):
        response = client.post(
            "/vendor-invitations",
            data={"vendor_id": vendor.id, "email": email, "name": "X"},
            follow_redirects=False,
        )
        flashed = f"Invitation sent to {email} at" in client.get("/vendor-invitations").text
        answers.append((response.status_code, flashed))
    assert answers[0] == answers[1] == (303, True)

    email = session.exec(
        select(OutboxEmail).where(OutboxEmail.to_address == other_bank_staff.email)
    ).one()
    path = urlsplit(re.search(r"https?://\S+/invitations/\S+", email.text_body)[0]).path
    page = TestClient(app).get(path)
    assert "already has an Assay account" in page.text and "Rival" not in page.text
    session.commit()
    session.refresh(other_bank_staff)
    assert other_bank_staff.organisation_id is not None and other_bank_staff.active


def test_sending_a_questionnaire_never_downgrades_a_pending_vendor_admin(session, buyer):
    procurement, vendor = buyer
    invite_vendor_contact(
        session=session,
        actor=procurement,
        vendor=vendor,
        email="vera@cobalt.example",
        name="Vera",
        role=Role.vendor_admin,
    )
    # what sending a questionnaire does for a contact without an account
    invite_vendor_contact(
        session=session, actor=procurement, vendor=vendor, email="vera@cobalt.example", name="Vera"
    )
    session.commit()
    invitations = session.exec(select(Invitation).order_by(Invitation.id)).all()
    live = [i for i in invitations if i.expires_at > utcnow()]
    assert len(invitations) == 2 and len(live) == 1
    assert live[0].role == Role.vendor_admin
