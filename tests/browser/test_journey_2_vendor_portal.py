"""Journey 2: the vendor contact follows the emailed invitation, sets a password, answers the whole
library questionnaire with autosave, meets a colleague's conflicting edit, uploads the evidence the
submit page asks for and submits with an attestation."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from app.assessments.service import answers_of, evidence_keys
from app.models import Assessment, AssessmentStatus, User
from app.portal.view import anchor
from app.questionnaires.service import questionnaire_of
from tests.browser.answers import (
    EVIDENCED,
    answer_in_browser,
    card,
    enter_answer,
    expect_answer_shown,
    expect_saved,
    planned_answer,
)
from tests.browser.conftest import flash, fresh
from tests.browser.story import (
    CONTACT_EMAIL,
    CONTACT_NAME,
    SIGNER_TITLE,
    buyer_team,
    send_to_new_contact,
    vendor_with_ai,
)
from tests.evidence.samples import pdf_bytes
from tests.factories import PASSWORD, make_vendor_user


def is_seen(element) -> bool:
    """Is the element on screen and on top (no page chrome over it)?"""
    return element.evaluate(
        """el => { const box = el.getBoundingClientRect();
                   const top = document.elementFromPoint(box.left + 4, box.top + box.height / 2);
                   return box.top >= 0 && box.bottom <= innerHeight && el.contains(top); }"""
    )


LEFT_FOR_LATER = "security.continuity"  # answered only once the submit page asks for it
CONFLICTED = "scope.service_description"


def test_vendor_contact_answers_everything_and_submits(
    page, live_server, session, settings, mail, watch, shoot, person
):
    buyer = buyer_team(session)
    vendor = vendor_with_ai(session, buyer)
    assessment = send_to_new_contact(session, buyer, vendor, settings)
    colleague = make_vendor_user(session, vendor, email="jonas@nordlicht.example")
    colleague.name = "Jonas Vogel"
    session.add(colleague)
    session.commit()
    questions = list(
        questionnaire_of(session=session, assessment=assessment).definition.questions()
    )

    # The invitation arrives by email; its link opens the sign-up page.
    mail.deliver()
    (invitation,) = [m for m in mail.to(CONTACT_EMAIL) if "invites you" in m["Subject"]]
    (announcement,) = [m for m in mail.to(CONTACT_EMAIL) if "questionnaire" in m["Subject"]]
    page.goto(mail.link(invitation, live_server + r"/invitations/\S+"))
    expect(page.get_by_role("heading", name="Welcome to Assay")).to_contain_text("Welcome")
    expect(page.get_by_text(f"You are invited as {CONTACT_EMAIL}")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value(CONTACT_NAME)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    shoot("invitation")
    page.get_by_role("button", name="Create my account").click()
    expect(flash(page)).to_contain_text("Welcome to Assay")

    # The questionnaire email's link opens the assessment in the portal.
    page.goto(mail.link(announcement, live_server + r"/portal/assessments/\d+"))
    expect(page.get_by_role("heading", name="AI governance and DORA", level=1)).to_be_visible()
    expect(page.locator("#progress-all")).to_contain_text("0%")
    shoot("portal-empty", full=False)

    # Everything, answered with autosave (each answer shows "Saved" when its request returns),
    # one section per page.
    sections = questionnaire_of(session=session, assessment=assessment).definition.sections
    base = f"{live_server}/portal/assessments/{assessment.id}"
    answered, shown = [], set()
    for section in sections:
        page.goto(f"{base}/sections/{section.key}")
        answered += answer_in_browser(
            page, [q for q in section.questions if q.key != LEFT_FOR_LATER]
        )
        shown |= {q.key for q in section.questions if card(page, q.key).count()}
    assert len(answered) > 100
    assert set(answered) == shown - {LEFT_FOR_LATER}
    assert "aiact.interaction_notice" in shown  # limited-risk AI: the transparency questions…
    assert "aiact.qms" not in shown  # …and not the high-risk provider's
    shoot("portal-answered", full=False)

    # Opened again, each section shows every answer as stored.
    by_key = {q.key: q for q in questions}
    for section in sections:
        page.goto(f"{base}/sections/{section.key}")
        for question in section.questions:
            if question.key in answered:
                expect_answer_shown(page, question, planned_answer(question))
    fresh(session)
    stored = answers_of(session=session, assessment_id=assessment.id)
    assert set(stored) == set(answered)
    assert stored["policy.ai_policy"].value == 4
    assert stored["scope.iso_roles"].value == ["ai_provider", "ai_customer"]

    # A colleague edits the same answer meanwhile; saving over it shows the conflict.
    conflicted = next(s.key for s in sections if CONFLICTED in {q.key for q in s.questions})
    page.goto(f"{base}/sections/{conflicted}")
    other = person(colleague.email)
    other.goto(page.url)
    card(other, CONFLICTED).locator('textarea[name="value"]').fill("Colleague's wording.")
    expect_saved(other, CONFLICTED)
    watch.expect_status(409)  # the conflict answer, which Chromium logs as a failed resource
    mine = "Claims triage for motor and household insurance, with an AI ranking model."
    card(page, CONFLICTED).locator('textarea[name="value"]').fill(mine)
    conflict = card(page, CONFLICTED).get_by_role("alert")
    expect(conflict).to_contain_text("Changed by Jonas Vogel")
    expect(conflict).to_contain_text("Colleague's wording.")
    expect(conflict).to_contain_text(mine)
    shoot("conflict", at=card(page, CONFLICTED))
    conflict.get_by_role("button", name="Keep mine").click()
    expect_saved(page, CONFLICTED)
    expect(card(page, CONFLICTED).locator('textarea[name="value"]')).to_have_value(mine)
    fresh(session)
    assert answers_of(session=session, assessment_id=assessment.id)[CONFLICTED].value == mine

    # The submit page lists what is missing: one answer and the files the claimed levels need.
    page.get_by_role("button", name="Review and submit").click()
    missing = page.locator(".missing-list li")
    expect(missing).to_have_count(1 + len(EVIDENCED))
    expect(missing.filter(has_text="Answer required.")).to_have_count(1)
    expect(missing.filter(has_text="needs supporting evidence")).to_have_count(len(EVIDENCED))
    expect(page.get_by_role("button", name="Submit to Harbour Bank")).to_be_disabled()
    shoot("submit-missing")

    # Each missing item links to its question: answer it, or upload the file it needs.
    missing.filter(has_text="Answer required.").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/sections/[a-z-]+#{anchor(LEFT_FOR_LATER)}$"))
    assert is_seen(card(page, LEFT_FOR_LATER).locator(".question-text"))
    shoot("missing-answer", full=False)
    enter_answer(page, by_key[LEFT_FOR_LATER], planned_answer(by_key[LEFT_FOR_LATER]))
    for key, (_, kind) in EVIDENCED.items():
        section = next(s.key for s in sections if key in {q.key for q in s.questions})
        page.goto(f"{base}/sections/{section}#{anchor(key)}")
        box = card(page, key)
        expect(box.locator(".evidence-box")).to_contain_text("File needed for this answer")
        upload = box.locator("form.upload-form")
        upload.get_by_label("Kind of document").select_option(kind)
        upload.locator('input[type="file"]').set_input_files(
            files=[
                {
                    "name": f"{key}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": pdf_bytes(f"{kind} for {key}"),
                }
            ]
        )
        upload.get_by_role("button", name="Upload").click()
        expect(box.locator(".evidence-list")).to_contain_text(f"{key}.pdf")
        expect(box.locator(".evidence-list")).to_contain_text(kind)
        expect(box.locator(".evidence-box")).not_to_contain_text("File needed")
    shoot("evidence-uploaded", full=False)

    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_text("Every required answer and file is in place.")).to_be_visible()
    page.get_by_label("Your job title").fill(SIGNER_TITLE)
    page.get_by_role("checkbox", name="I confirm that these answers").check()
    shoot("submit-ready")
    page.get_by_role("button", name="Submit to Harbour Bank").click()
    expect(flash(page)).to_contain_text("Submitted.")
    expect(page.locator(".badge.submitted")).to_be_visible()
    expect(page.get_by_role("link", name="Submission receipt (PDF)")).to_be_visible()
    expect(page.locator("#progress-all")).to_contain_text("100%")
    shoot("submitted", full=False)

    fresh(session)
    done = session.get(Assessment, assessment.id)
    assert done.status == AssessmentStatus.submitted
    signer = session.exec(select(User).where(User.email == CONTACT_EMAIL)).one()
    assert done.attestation["name"] == CONTACT_NAME == signer.name
    assert done.attestation["title"] == SIGNER_TITLE
    assert set(EVIDENCED) <= evidence_keys(session=session, assessment_id=assessment.id)
    assert (
        answers_of(session=session, assessment_id=assessment.id)[LEFT_FOR_LATER].value is not None
    )
    # The buyer hears of it by email.
    assert any("submitted" in m["Subject"].lower() for m in mail.deliver())
