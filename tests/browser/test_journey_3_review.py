"""Journey 3: the analyst reviews the submitted answers and asks for a clarification, the vendor
answers it and resubmits, the analyst accepts and completes the review."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from app.models import Assessment, AssessmentStatus, ReviewDecision
from app.scoring.service import current_result
from tests.browser.answers import card
from tests.browser.conftest import flash, fresh, sign_in
from tests.browser.story import CLARIFIED, QUESTION, REPLY, SIGNER_TITLE, submitted_assessment


def test_analyst_asks_a_clarification_and_completes_the_review(
    page, live_server, session, settings, mail, watch, shoot, person
):
    buyer, vendor, assessment, contact = submitted_assessment(session, settings)
    session.commit()
    mail.deliver()  # what journeys 1 and 2 sent
    review_url = f"{live_server}/assessments/{assessment.id}"

    # The analyst finds the submitted assessment and starts the review.
    sign_in(page, live_server, buyer.analyst.email)
    page.get_by_role("link", name="Assessments", exact=True).click()
    page.get_by_role("link", name=vendor.legal_name).click()
    expect(page).to_have_url(review_url)
    expect(page.locator("#assessment-status")).to_have_text("submitted")
    page.get_by_role("button", name="Start review").click()
    expect(flash(page)).to_contain_text("now under review")
    answer = page.locator(f'article[id="q-{CLARIFIED}"]')
    expect(answer).to_contain_text("claimed level 4")
    expect(answer.locator("ul.files")).to_contain_text(f"{CLARIFIED.replace('.', '-')}.pdf")

    # One answer needs a clarification: the request waits on the card until the round is sent.
    answer.get_by_label("Request or reason").fill(QUESTION)
    answer.get_by_role("button", name="Ask", exact=True).click()
    expect(answer.locator(".badge.clarification")).to_be_visible()
    expect(answer.locator(".review-reason")).to_contain_text(QUESTION)
    shoot("clarification-asked", at=answer)
    page.reload()
    lifecycle = page.locator("#lifecycle")
    send_back = lifecycle.locator("form", has=page.get_by_role("button", name="Send 1 request"))
    send_back.get_by_label("Note for the vendor (optional)").fill("One question on the AI policy.")
    send_back.get_by_role("button", name="Send 1 request back to the vendor").click()
    expect(page.locator("#assessment-status")).to_have_text("clarification requested")
    expect(answer.locator(".thread.vendor")).to_contain_text(QUESTION)  # posted with the round

    # The vendor is told by email and answers in the portal.
    (notice,) = [m for m in mail.deliver() if m["To"] == contact.email]
    assert "Clarification requested" in notice["Subject"]
    assert "One question on the AI policy." in mail.text(notice)
    assert "AI policy approved by top management" in mail.text(notice)  # the flagged question
    vendor_page = person(contact.email)
    vendor_page.goto(mail.link(notice, live_server + r"/portal/assessments/\d+"))
    expect(vendor_page.get_by_text("The buyer asked for clarifications")).to_be_visible()
    vendor_page.get_by_role("button", name="Answer clarifications").click()
    expect(flash(vendor_page)).to_contain_text("The answers are open again")
    question = card(vendor_page, CLARIFIED)
    thread = question.locator("details.thread")
    expect(thread).to_contain_text(QUESTION)
    thread.get_by_label("Message").fill(REPLY)
    thread.get_by_role("button", name="Send").click()
    expect(question.locator("details.thread")).to_contain_text(REPLY)
    shoot("vendor-answers", of=vendor_page, at=question)
    vendor_page.get_by_role("button", name="Review and submit").click()
    vendor_page.get_by_label("Your job title").fill(SIGNER_TITLE)
    vendor_page.get_by_role("checkbox", name="I confirm that these answers").check()
    vendor_page.get_by_role("button", name="Submit to Harbour Bank").click()
    expect(flash(vendor_page)).to_contain_text("Submitted.")

    # Back with the analyst: the reply is there; accept answer and file, complete the review.
    page.reload()
    expect(page.locator("#assessment-status")).to_have_text("submitted")
    page.get_by_role("button", name="Start review").click()
    answer = page.locator(f'article[id="q-{CLARIFIED}"]')
    expect(answer.locator(".thread.vendor")).to_contain_text(REPLY)
    answer.get_by_role("button", name="Accept file").click()
    expect(answer.locator("ul.files .badge.accepted")).to_be_visible()
    answer.get_by_role("button", name="Accept", exact=True).click()
    expect(answer.locator(".card-head .badge.accepted")).to_be_visible()
    expect(answer).to_contain_text("counts 4")
    # Completing is deciding: without a decision nothing moves; with one, both happen at once.
    complete = page.locator("form.step", has=page.get_by_role("button", name="Complete review"))
    complete.get_by_role("button", name="Complete review").click()
    expect(page.locator("#assessment-status")).to_have_text("under review")
    assert complete.locator("#complete-field-outcome").evaluate("e => e.validity.valueMissing")
    complete.locator("#complete-field-outcome").select_option("approve")
    complete.locator("#complete-field-rationale").fill(
        "Policy clarified; evidence accepted in full."
    )
    shoot("complete-with-decision", at=complete)
    complete.get_by_role("button", name="Complete review").click()
    expect(page.locator("#assessment-status")).to_have_text("completed")
    expect(page.locator("#review-decision")).to_contain_text("Approve")
    expect(page.locator("#timeline")).to_contain_text("clarification requested")
    shoot("completed", at=page.locator("#timeline"))

    # Completing scores the assessment: the score explanation is one click away.
    page.get_by_role("link", name="Score explanation").click()
    expect(page.get_by_role("heading", name="Score explanation")).to_be_visible()
    expect(page.locator(".stat-grid")).to_contain_text("maturity")
    fresh(session)
    done = session.get(Assessment, assessment.id)
    assert done.status == AssessmentStatus.completed
    decided = session.exec(select(ReviewDecision)).one()
    assert decided.outcome == "approve" and "evidence accepted" in decided.rationale
    score = current_result(session=session, vendor_id=vendor.id)
    assert score is not None and score.assessment_id == assessment.id
