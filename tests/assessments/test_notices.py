"""Who hears what: the assigned reviewer, the vendor at each step, invitations that outlast the due
date, "My tasks" on the dashboard and re-sending switched on and off in the product. Emails go
through the real loopback SMTP server (tests/smtp.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from app.assessments.lifecycle import Side
from app.assessments.reassessment import auto_resend_enabled, run_reassessments
from app.assessments.reminders import send_reminders
from app.assessments.review import review_answer, take_action
from app.assessments.sending import INVITATION_GRACE_DAYS, send_questionnaire
from app.assessments.service import answers_of, apply_transition, create_assessment, save_answer
from app.models import (
    Assessment,
    Finding,
    Invitation,
    Organisation,
    ProviderProfileChange,
    Vendor,
)
from app.notifications.sender import send_pending
from app.portal.submission import submit
from tests.factories import APPROVED
from tests.helpers import login

DUE = date.today() + timedelta(days=30)


def _answered(session, team, actor, vendor, contact) -> Assessment:
    assessment = create_assessment(session=session, actor=actor, vendor=vendor,
                                   questionnaire=team.questionnaire, due_date=DUE)  # fmt: skip
    apply_transition(session=session, assessment=assessment, name="send", actor=actor,
                     side=Side.buyer)  # fmt: skip
    for key, value in [("gov.policy", "2"), ("gov.role", "deployer")]:
        save_answer(session=session, actor=contact, assessment=assessment, key=key,
                    raw_value=value, expected_version=0)  # fmt: skip
    return assessment


def _sign(session, assessment, contact) -> None:
    submit(session=session, actor=contact, assessment=assessment, name="Chen Wei", title="CISO",
           confirmed=True)  # fmt: skip


def test_the_reviewer_hears_of_the_submission_and_the_vendor_of_each_step(
    session, engine, team, mailbox, smtp_settings
):
    # The vendor's owner is an analyst: the assessment is theirs to review.
    team.vendor_a.owner_id = team.analyst.id
    session.add(team.vendor_a)
    assessment = _answered(session, team, team.procurement, team.vendor_a, team.contact_a)
    assert assessment.reviewer_id == team.analyst.id
    _sign(session, assessment, team.contact_a)
    session.commit()
    send_pending(engine, smtp_settings)
    (notice,) = [m for m in mailbox.messages if "submitted" in m["Subject"]]
    assert notice["To"] == team.analyst.email  # not the procurement sender, who cannot review
    assert not mailbox.to(team.procurement.email)

    # A clarification round: one email per contact quoting the question and the request.
    review_answer(session=session, actor=team.analyst, assessment=assessment,
                  question_key="gov.policy", decision="clarification",
                  reason="Which committee approved it?")  # fmt: skip
    take_action(session=session, actor=team.analyst, assessment=assessment,
                action="request_clarification", reason=None, settings=smtp_settings)  # fmt: skip
    session.commit()
    send_pending(engine, smtp_settings)
    (ask,) = mailbox.to(team.contact_a.email)
    text = ask.get_body(("plain",)).get_content()
    assert "How mature is your AI policy?" in text and "Which committee approved it?" in text

    # The resubmission tells the reviewer what changed.
    apply_transition(session=session, assessment=assessment, name="resume", actor=team.contact_a,
                     side=Side.vendor)  # fmt: skip
    policy = answers_of(session=session, assessment_id=assessment.id)["gov.policy"]
    save_answer(session=session, actor=team.contact_a, assessment=assessment, key="gov.policy",
                raw_value="1", expected_version=policy.version)  # fmt: skip
    _sign(session, assessment, team.contact_a)
    session.commit()
    send_pending(engine, smtp_settings)
    again = [
        m for m in mailbox.to(team.analyst.email) if "answered your clarification" in m["Subject"]
    ]
    (again,) = again
    body = again.get_body(("plain",)).get_content()
    assert "What changed since the request:" in body
    assert "How mature is your AI policy? (answer changed)" in body
    assert "Which AI Act role" not in body  # untouched answers are not listed

    # Completion tells the vendor.
    take_action(session=session, actor=team.analyst, assessment=assessment, action="begin_review",
                reason=None, settings=smtp_settings)  # fmt: skip
    take_action(session=session, actor=team.analyst, assessment=assessment, action="complete",
                reason=None, settings=smtp_settings, decision=APPROVED)  # fmt: skip
    session.commit()
    send_pending(engine, smtp_settings)
    done = [m for m in mailbox.to(team.contact_a.email) if "Review completed" in m["Subject"]]
    assert len(done) == 1 and "completed its review" in done[0].get_body(("plain",)).get_content()


def test_without_an_analyst_owner_the_organisation_default_reviews(session, team):
    team.vendor_b.owner_id = team.procurement.id  # cannot review
    org = session.get(Organisation, team.org.id)
    org.settings = {**(org.settings or {}), "default_reviewer_id": team.admin.id}
    session.add_all([team.vendor_b, org])
    assessment = _answered(session, team, team.procurement, team.vendor_b, team.contact_b)
    assert assessment.reviewer_id == team.admin.id
    org.settings = {}
    session.add(org)
    nobody = _answered(session, team, team.procurement, team.vendor_c, team.contact_c)
    assert nobody.reviewer_id is None


def test_an_invitation_lasts_until_the_due_date_plus_grace(session, team, settings):
    due = date.today() + timedelta(days=60)  # later than the 14 days an invitation lasts
    send_questionnaire(session=session, actor=team.procurement, vendor_ids=[team.vendor_a.id],
                       questionnaire_id=team.questionnaire.id, due_date=due, message=None,
                       settings=settings)  # fmt: skip
    invitation = session.exec(
        select(Invitation).where(Invitation.email == team.pending_a.email)
    ).one()
    expires = invitation.expires_at.replace(tzinfo=UTC)
    assert expires.date() == due + timedelta(days=INVITATION_GRACE_DAYS)
    assert expires > datetime.now(UTC) + timedelta(days=60)


def test_my_tasks_list_reviews_proposals_and_findings_due(client, session, team):
    team.vendor_a.owner_id = team.analyst.id
    session.add(team.vendor_a)
    assessment = _answered(session, team, team.procurement, team.vendor_a, team.contact_a)
    _sign(session, assessment, team.contact_a)
    session.add(ProviderProfileChange(vendor_id=team.vendor_b.id, data={"vendor": {}},
                                      submitted_by_id=team.contact_b.id))  # fmt: skip
    session.add(Finding(organisation_id=team.org.id, vendor_id=team.vendor_c.id, key="manual:1",
                        title="Exit plan untested", owner_id=team.analyst.id,
                        due_date=date.today() + timedelta(days=3)))  # fmt: skip
    session.commit()
    login(client, team.analyst.email)
    page = client.get("/dashboard").text
    tasks = page.split('id="my-tasks"')[1].split("</section>")[0]
    assert f'href="/assessments/{assessment.id}">Review Alpha AI GmbH' in tasks
    assert "Exit plan untested" in tasks
    assert "proposes register changes" not in tasks  # analysts do not accept register changes
    with client.__class__(client.app) as other:
        login(other, team.procurement.email)
        tasks = other.get("/dashboard").text.split('id="my-tasks"')[1].split("</section>")[0]
        vendor_page = other.get(f"/vendors/{team.vendor_b.id}").text
    assert f'href="/vendors/{team.vendor_b.id}/profile-changes"' in tasks
    assert "Review Alpha" not in tasks  # procurement cannot review
    assert "proposed changes to its register data" in vendor_page
    assert f'href="/vendors/{team.vendor_b.id}/profile-changes"' in vendor_page


def test_procurement_turns_re_sending_on_and_off_by_tier_and_per_vendor(
    client, session, team, rival
):
    team.vendor_a.tier = "critical"
    team.vendor_b.tier = "low"
    session.add_all([team.vendor_a, team.vendor_b])
    session.commit()
    login(client, team.procurement.email)
    assert client.get("/assessments/settings").status_code == 200
    saved = client.post("/assessments/settings", data={"tiers": ["critical", "high"],
                        "reviewer_id": str(team.analyst.id)}, follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    refused = client.post("/assessments/settings", data={"tiers": ["urgent"]})
    assert refused.status_code == 422 and "Unknown tier" in refused.text
    not_a_reviewer = client.post("/assessments/settings",
                                 data={"reviewer_id": str(team.procurement.id)})  # fmt: skip
    assert not_a_reviewer.status_code == 422
    session.rollback()
    org = session.get(Organisation, team.org.id)
    session.refresh(org)
    assert org.settings["auto_resend_tiers"] == ["critical", "high"]
    assert org.settings["default_reviewer_id"] == team.analyst.id
    a, b = session.get(Vendor, team.vendor_a.id), session.get(Vendor, team.vendor_b.id)
    assert auto_resend_enabled(a, org) and not auto_resend_enabled(b, org)

    # Per vendor: on for the low-tier vendor, off for the critical one, then back to the default.
    for vendor, choice in [(b, "on"), (a, "off")]:
        client.post(f"/vendors/{vendor.id}/auto-resend", data={"auto_resend": choice})
    session.rollback()
    a, b = session.get(Vendor, team.vendor_a.id), session.get(Vendor, team.vendor_b.id)
    assert auto_resend_enabled(b, org) and not auto_resend_enabled(a, org)
    page = client.get(f"/vendors/{a.id}").text
    assert "Automatic re-sending when the review is due: <strong>off</strong>" in page
    client.post(f"/vendors/{a.id}/auto-resend", data={"auto_resend": "default"})
    session.rollback()
    assert auto_resend_enabled(session.get(Vendor, team.vendor_a.id), org)
    theirs = client.post(f"/vendors/{rival.vendor.id}/auto-resend", data={"auto_resend": "on"})
    assert theirs.status_code == 404  # another tenant's vendor
    bad = client.post(f"/vendors/{a.id}/auto-resend", data={"auto_resend": "sometimes"})
    assert bad.status_code == 422


def test_a_reminder_gives_a_contact_without_an_account_an_invitation_link(
    session, engine, team, mailbox, smtp_settings
):
    assessment = _answered(session, team, team.procurement, team.vendor_a, team.contact_a)
    assessment.due_date = date.today() + timedelta(days=1)
    session.add(assessment)
    session.commit()
    report = send_reminders(engine, smtp_settings)
    assert report.sent == 1
    send_pending(engine, smtp_settings)
    (pending,) = mailbox.to(team.pending_a.email)  # Pat has no account: one email, with the link
    text = pending.get_body(("plain",)).get_content()
    assert "/invitations/" in text and "no Assay account yet" in text
    assert f"/portal/assessments/{assessment.id}" not in text
    (member,) = mailbox.to(team.contact_a.email)
    assert f"/portal/assessments/{assessment.id}" in member.get_body(("plain",)).get_content()


def test_a_vendor_owing_only_clarifications_is_told_so(
    session, engine, team, mailbox, smtp_settings
):
    assessment = _answered(session, team, team.procurement, team.vendor_b, team.contact_b)
    _sign(session, assessment, team.contact_b)
    review_answer(session=session, actor=team.analyst, assessment=assessment,
                  question_key="gov.role", decision="clarification",
                  reason="For which AI systems?")  # fmt: skip
    take_action(session=session, actor=team.analyst, assessment=assessment,
                action="request_clarification", reason=None, settings=smtp_settings)  # fmt: skip
    assessment.due_date = date.today() - timedelta(days=1)
    session.add(assessment)
    session.commit()
    send_reminders(engine, smtp_settings)
    send_pending(engine, smtp_settings)
    (reminder,) = [m for m in mailbox.to(team.contact_b.email) if "Overdue" in m["Subject"]]
    text = reminder.get_body(("plain",)).get_content()
    assert "clarification on 1 question" in text
    assert "has not been submitted" not in text and "required questions are answered" not in text


def test_a_re_assessment_invites_contacts_without_an_account_and_marks_carried_answers(
    session, engine, team, mailbox, smtp_settings
):
    team.vendor_a.auto_resend = True
    team.vendor_a.next_review_date = date.today()
    session.add(team.vendor_a)
    last = _answered(session, team, team.procurement, team.vendor_a, team.contact_a)
    _sign(session, last, team.contact_a)
    for key in ("gov.policy", "gov.role"):
        review_answer(session=session, actor=team.analyst, assessment=last, question_key=key,
                      decision="accepted" if key == "gov.policy" else "rejected",
                      reason=None if key == "gov.policy" else "Not credible.")  # fmt: skip
    take_action(session=session, actor=team.analyst, assessment=last, action="complete",
                reason=None, settings=smtp_settings, decision=APPROVED)  # fmt: skip
    team.vendor_a.next_review_date = date.today()
    session.add(team.vendor_a)
    session.commit()
    send_pending(engine, smtp_settings)
    mailbox.messages.clear()
    (started,) = run_reassessments(engine, smtp_settings)
    send_pending(engine, smtp_settings)
    invitations = [m for m in mailbox.to(team.pending_a.email) if "invites you" in m["Subject"]]
    assert len(invitations) == 1  # the email promises an invitation: it comes
    session.rollback()
    answers = answers_of(session=session, assessment_id=started.assessment_id)
    assert answers["gov.policy"].prefilled_from_id is not None  # accepted: carried over
    assert "gov.role" not in answers  # rejected last time: not offered as if it were fine
