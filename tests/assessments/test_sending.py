"""Sending questionnaires: campaigns, invitations, emails through the outbox to a real SMTP server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from app.assessments.sending import parse_new_contacts, send_questionnaire
from app.errors import InvalidInput, NotFound
from app.models import (
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    Campaign,
    Invitation,
    OutboxEmail,
    OutboxStatus,
)
from app.notifications.sender import MAX_ATTEMPTS, send_pending
from tests.helpers import login

DUE = (date.today() + timedelta(days=30)).isoformat()


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_procurement_sends_to_one_vendor_then_two_at_once_and_emails_arrive(
    client, session, engine, team, mailbox, smtp_settings
):
    login(client, team.procurement.email)
    form = client.get("/assessments/new")
    assert form.status_code == 200
    assert "Alpha AI GmbH" in form.text and "Small test questionnaire" in form.text

    response = client.post(
        "/assessments/new",
        data={
            "questionnaire_id": str(team.questionnaire.id),
            "due_date": DUE,
            "message": "Please answer before the board meeting.",
            "vendor_ids": [str(team.vendor_a.id)],
            "new_contacts_vendor": [str(team.vendor_a.id)],
            "new_contacts": ["newbie@alpha.example, Nina New"],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    first = session.exec(select(Assessment).where(Assessment.vendor_id == team.vendor_a.id)).one()
    assert response.headers["location"] == f"/assessments/{first.id}"
    assert first.status == AssessmentStatus.sent and first.sent_at is not None
    step = session.exec(
        select(AssessmentTransition).where(AssessmentTransition.assessment_id == first.id)
    ).one()
    assert (step.from_status, step.to_status, step.actor_id) == (
        "draft",
        "sent",
        team.procurement.id,
    )
    # The contact without an account and the new person are invited; the others are not.
    invited = set(session.exec(select(Invitation.email)).all())
    assert invited == {"pat@alpha.example", "newbie@alpha.example"}

    response = client.post(
        "/assessments/new",
        data={
            "questionnaire_id": str(team.questionnaire.id),
            "due_date": DUE,
            "vendor_ids": [str(team.vendor_b.id), str(team.vendor_c.id)],
            "name": "Q4 AI review",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    session.rollback()  # end the test session's read snapshot: see what the request committed
    campaign = session.exec(select(Campaign).where(Campaign.name == "Q4 AI review")).one()
    assert response.headers["location"] == f"/assessments?campaign_id={campaign.id}"
    listed = client.get(response.headers["location"])
    assert "Beta Models SA" in listed.text and "Gamma Cloud BV" in listed.text
    results = listed.text.split('id="assessment-results"')[1]
    assert "Beta Models SA" in results and "Alpha AI GmbH" not in results

    report = send_pending(engine, smtp_settings)
    session.rollback()
    assert report.sent == _count(session, OutboxEmail) == 7 and report.failed == 0
    b_assessment = session.exec(
        select(Assessment).where(Assessment.vendor_id == team.vendor_b.id)
    ).one()
    [to_b] = mailbox.to(team.contact_b.email)
    assert "Small test questionnaire" in to_b["Subject"]
    text = to_b.get_body(("plain",)).get_content()
    html = to_b.get_body(("html",)).get_content()
    assert f"/portal/assessments/{b_assessment.id}" in text
    assert f"/portal/assessments/{b_assessment.id}" in html
    # Pat (no account) gets the invitation and the questionnaire notice; the account holder one.
    assert len(mailbox.to("pat@alpha.example")) == 2
    assert len(mailbox.to(team.contact_a.email)) == 1
    assert "Please answer before the board meeting." in (
        mailbox.to(team.contact_a.email)[0].get_body(("plain",)).get_content()
    )
    page = client.get(f"/assessments/{first.id}")
    assert "newbie@alpha.example" in page.text and ">sent<" in page.text


def test_a_failed_send_is_visible_retried_and_delivered_later(
    client, session, engine, settings, team, mailbox, smtp_settings
):
    result = send_questionnaire(
        session=session,
        actor=team.procurement,
        vendor_ids=[team.vendor_b.id],
        questionnaire_id=team.questionnaire.id,
        due_date=date.today() + timedelta(days=10),
        message=None,
        settings=settings,
    )
    session.commit()
    assessment = result.assessments[0]
    report = send_pending(engine, settings)  # settings point at port 1: nobody listens
    assert report.retrying == 1 and report.sent == 0
    login(client, team.procurement.email)
    page = client.get(f"/assessments/{assessment.id}")
    assert "cannot connect to SMTP" in page.text

    email = session.exec(select(OutboxEmail)).one()
    session.refresh(email)
    email.attempts = MAX_ATTEMPTS - 1
    email.next_attempt_at = email.created_at
    session.add(email)
    session.commit()
    assert send_pending(engine, settings).failed == 1
    page = client.get(f"/assessments/{assessment.id}")
    assert ">failed<" in page.text and f"/assessment-emails/{email.id}/retry" in page.text

    retried = client.post(f"/assessment-emails/{email.id}/retry", follow_redirects=False)
    assert retried.status_code == 303
    session.rollback()
    session.refresh(email)
    assert email.status == OutboxStatus.pending
    assert send_pending(engine, smtp_settings).sent == 1
    assert len(mailbox.to(team.contact_b.email)) == 1


def test_sending_is_all_or_nothing(session, settings, team, rival):
    with pytest.raises(NotFound):
        send_questionnaire(
            session=session,
            actor=team.procurement,
            vendor_ids=[team.vendor_b.id, rival.vendor.id],
            questionnaire_id=team.questionnaire.id,
            due_date=date.today() + timedelta(days=10),
            message=None,
            settings=settings,
        )
    session.rollback()
    assert _count(session, Campaign) == 0 and _count(session, Assessment) == 0
    assert _count(session, OutboxEmail) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"due_date": date.today() - timedelta(days=1)}, "past"),
        ({"vendor_ids": []}, "at least one vendor"),
        ({"message": "x" * 5001}, "5,000"),
    ],
)
def test_invalid_sends_are_refused(session, settings, team, change, message):
    arguments = {
        "session": session,
        "actor": team.procurement,
        "vendor_ids": [team.vendor_b.id],
        "questionnaire_id": team.questionnaire.id,
        "due_date": date.today() + timedelta(days=10),
        "message": None,
        "settings": settings,
    } | change
    with pytest.raises(InvalidInput, match=message):
        send_questionnaire(**arguments)


def test_a_vendor_without_contacts_needs_one_by_email(client, session, team):
    from tests.factories import make_vendor

    lonely = make_vendor(session, team.org, "Lonely Labs")
    session.commit()
    login(client, team.procurement.email)
    data = {"questionnaire_id": str(team.questionnaire.id), "due_date": DUE}
    refused = client.post("/assessments/new", data=data | {"vendor_ids": [str(lonely.id)]})
    assert refused.status_code == 422 and "no contacts yet" in refused.text
    accepted = client.post(
        "/assessments/new",
        data=data
        | {
            "vendor_ids": [str(lonely.id)],
            "new_contacts_vendor": [str(lonely.id)],
            "new_contacts": ["Lee Lonely <lee@lonely.example>"],
        },
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    session.rollback()
    assert (
        session.exec(select(Invitation.name).where(Invitation.email == "lee@lonely.example")).one()
        == "Lee Lonely"
    )


def test_analysts_and_auditors_cannot_send(client, team):
    login(client, team.analyst.email)
    assert client.get("/assessments/new").status_code == 403
    response = client.post(
        "/assessments/new",
        data={"questionnaire_id": str(team.questionnaire.id), "due_date": DUE},
    )
    assert response.status_code == 403


def test_new_contacts_are_parsed_in_the_usual_forms():
    people = parse_new_contacts("a@x.example\nBob <B@X.example>; c@x.example, Cy")
    assert [(p.email, p.name) for p in people] == [
        ("a@x.example", ""),
        ("b@x.example", "Bob"),
        ("c@x.example", "Cy"),
    ]
    with pytest.raises(InvalidInput):
        parse_new_contacts("not an email")


def test_publishing_the_library_from_the_page(client, session, team):
    login(client, team.procurement.email)
    response = client.post("/questionnaires/publish-library", follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/assessments/new")
    assert "AI governance and DORA third-party due diligence" in page.text
