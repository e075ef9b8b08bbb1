"""Journey 6: a vendor with a hundred questions finds its way (section pages, the buyer's verdicts,
"next needing attention"), and attaches one SOC 2 report to twenty questions in three actions.

Every click, file choice and form submission the person makes is counted, so a change that adds
a step to either job fails here."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from app.assessments.review import review_answer, take_action
from app.assessments.service import save_answer
from app.assessments.sheet import ATTACH_A_FILE, EVIDENCE_NEEDED, answered_sheet, evidence_required
from app.portal.view import anchor
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.service import questionnaire_of
from app.scoring.adapter import answer_level
from tests.browser.answers import card, planned_answer
from tests.browser.conftest import fresh, sign_in
from tests.browser.story import (
    buyer_team,
    join_vendor,
    send_to_new_contact,
    submitted_assessment,
    vendor_with_ai,
)
from tests.browser.test_journey_2_vendor_portal import is_seen
from tests.evidence.samples import pdf_bytes

SENT_BACK = {
    "policy.ai_policy": ("clarification", "Does the policy cover generative AI used by staff?"),
    "lifecycle.drift_monitoring": ("rejected", "Monitoring is described for one system only."),
}


class Actions:
    """Counts what the person does: each call performs one click, choice or submission."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        return action(*args, **kwargs)


def test_vendor_finds_what_the_buyer_sent_back_section_by_section(
    page, live_server, session, settings, shoot, browser
):
    buyer, _, assessment, contact = submitted_assessment(session, settings)
    analyst = buyer.analyst
    take_action(
        session=session,
        actor=analyst,
        assessment=assessment,
        action="begin_review",
        reason=None,
        settings=settings,
    )
    for key, (decision, reason) in SENT_BACK.items():
        review_answer(
            session=session,
            actor=analyst,
            assessment=assessment,
            question_key=key,
            decision=decision,
            reason=reason,
        )
    take_action(
        session=session,
        actor=analyst,
        assessment=assessment,
        action="request_clarification",
        reason="Two answers need more.",
        settings=settings,
    )
    session.commit()
    first, second = SENT_BACK

    sign_in(page, live_server, contact.email)
    act = Actions()
    # The home page says what needs attention, with links, and how many days are left.
    home = page.locator("article.portal-home-row")
    expect(home).to_contain_text("2 questions need your attention")
    expect(home).to_contain_text(re.compile(r"\d+ days left"))
    shoot("home-attention", full=False)

    # One click to the first question sent back: its own section, its card in view, uncovered,
    # with the buyer's verdict and reason on it.
    act(home.get_by_role("link", name=re.compile("AI policy")).first.click)
    expect(page).to_have_url(re.compile(rf"/sections/policy#{anchor(first)}$"))
    question = card(page, first)
    expect(question.locator(".verdict")).to_contain_text(SENT_BACK[first][1])
    assert is_seen(question.locator(".question-text"))
    _chrome_beside_the_questions(page)
    shoot("sent-back-card", full=False)

    # Reopen the answers, change the answer: saved, and the marker goes.
    act(page.get_by_role("button", name="Answer clarifications").click)
    expect(page).to_have_url(re.compile(r"/sections/policy$"))
    marked = re.compile(r"\bneeds-attention\b")
    expect(card(page, first)).to_have_class(marked)
    act(card(page, first).locator('input[type="radio"][value="3"]').check)
    expect(page.locator(f"#state-{anchor(first)}")).to_have_text("Saved")
    expect(card(page, first)).not_to_have_class(marked)  # without a reload
    expect(page.locator("[data-save-status]")).to_have_text("All changes saved")
    next_attention = page.get_by_role("link", name=re.compile("Next needing attention"))
    expect(next_attention).to_contain_text("(1)")
    shoot("saved-indicator", full=False)

    # One click to the next question needing attention, in another section.
    act(next_attention.click)
    expect(page).to_have_url(re.compile(rf"/sections/lifecycle#{anchor(second)}$"))
    expect(card(page, second).locator(".verdict")).to_contain_text("Rejected by the buyer")
    assert is_seen(card(page, second).locator(".question-text"))
    # The filter shows only what needs attention.
    act(page.get_by_role("link", name="Needs attention", exact=True).click)
    expect(page.locator("article.question")).to_have_count(1)
    shoot("attention-filter", full=False)
    # One click to each of the two sent-back questions, one to reopen, one to fix, one to filter.
    assert act.count == 5

    # Without JavaScript the old address, the section list and the filters work the same.
    plain = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    bare = sign_in(plain.new_page(), live_server, contact.email)
    bare.goto(f"{live_server}/portal/assessments/{assessment.id}")
    expect(bare).to_have_url(re.compile(r"/sections/lifecycle$"))
    bare.locator("#section-nav").get_by_role("link", name="Data for AI systems").click()
    expect(bare).to_have_url(re.compile(r"/sections/data$"))
    expect(bare.locator("#section-nav a[aria-current=page]")).to_have_text("Data for AI systems")
    plain.close()


def _chrome_beside_the_questions(page: Page) -> None:
    """The section list sits in its own column: nothing pinned lies over the questions."""
    aside, main = (
        page.locator(selector).bounding_box() for selector in (".portal-aside", ".portal-main")
    )
    assert aside["x"] + aside["width"] <= main["x"]
    pinned = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(el => {
               const p = getComputedStyle(el).position;
               return (p === 'fixed' || p === 'sticky') && !el.closest('.portal-aside')
                      && el.getBoundingClientRect().height > 0; }).length"""
    )
    assert pinned == 0


# --- one SOC 2 report, twenty questions -----------------------------------------------------------

WANTED = 20


def _claiming_evidence(question: Question) -> Any:
    """An answer at a level that asks for a file, or None when the question has none."""
    needed = question.evidence.required_from_level
    if question.type == QuestionType.maturity:
        return max(needed, 1)
    if question.type in (QuestionType.single_choice, QuestionType.yes_no_na):
        for option in question.options:
            if evidence_required(question, option.value):
                return option.value
    if question.type == QuestionType.multi_choice:
        everything = [o.value for o in question.options]
        level = answer_level(question, everything)
        return everything if level is not None and level >= needed else None
    value = planned_answer(question)
    return value if evidence_required(question, value) else None


def _twenty_questions_wanting_a_report(session, assessment, contact) -> list[str]:
    """Answer the questionnaire so that exactly twenty shown questions ask for a report-kind
    file and have none; the rest answered below the level that asks for one."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    values: dict = {}
    wanting: list[str] = []
    for question in questionnaire.definition.questions():
        if question.key not in questionnaire.visible_keys(values):
            continue
        takes_report = question.evidence is not None and "report" in question.evidence.kinds
        if question.type == QuestionType.evidence_only:
            if takes_report and question.required and len(wanting) < WANTED:
                wanting.append(question.key)
            continue
        value = planned_answer(question)
        if takes_report and len(wanting) < WANTED:
            claimed = _claiming_evidence(question)
            if claimed is not None:
                value = claimed
                wanting.append(question.key)
        if value is None:
            continue
        answer = save_answer(
            session=session,
            actor=contact,
            assessment=assessment,
            key=question.key,
            raw_value=value,
            expected_version=0,
        )
        values[question.key] = answer.value
    return wanting


def test_one_soc2_report_goes_on_twenty_questions_in_three_actions(
    page, live_server, session, settings, shoot
):
    buyer = buyer_team(session)
    vendor = vendor_with_ai(session, buyer)
    assessment = send_to_new_contact(session, buyer, vendor, settings)
    contact = join_vendor(session, vendor)
    wanting = _twenty_questions_wanting_a_report(session, assessment, contact)
    session.commit()
    sheet = answered_sheet(session=session, assessment=assessment)
    needing_report = [
        i.key
        for i in sheet.items
        if i.missing in (ATTACH_A_FILE, EVIDENCE_NEEDED) and "report" in i.question.evidence.kinds
    ]
    assert sorted(needing_report) == sorted(wanting) and len(wanting) == WANTED

    sign_in(page, live_server, contact.email)
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    start = wanting[0]
    page.goto(
        f"{live_server}/portal/assessments/{assessment.id}/sections/"
        f"{questionnaire.section_by_key[start]}#{anchor(start)}"
    )
    box = card(page, start).locator(".evidence-box")
    expect(box).to_contain_text("PDF, Word (DOCX)")  # the allowed types and the size limit
    expect(box).to_contain_text("up to 25 MB per file")

    act = Actions()
    upload = box.locator("form.upload-form")
    upload.get_by_label("Kind of document").select_option("report")  # already the first kind
    act(
        upload.locator('input[type="file"]').set_input_files,
        files=[{"name": "soc2-type2.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}],
    )
    act(upload.get_by_role("button", name="Upload").click)
    panel = card(page, start).locator("form.covers-panel")
    expect(panel).to_contain_text("This document also covers")
    expect(panel.locator('input[name="question"]:checked:not([disabled])')).to_have_count(
        WANTED - 1
    )
    shoot("covers-panel", at=panel)
    act(panel.get_by_role("button", name="Attach to the ticked questions").click)
    expect(page.locator("div.flash")).to_contain_text("Attached the document to 19 more")
    assert act.count <= 3

    fresh(session)
    sheet = answered_sheet(session=session, assessment=assessment)
    with_soc2 = [
        i.key for i in sheet.items if any(f.evidence.filename == "soc2-type2.pdf" for f in i.files)
    ]
    assert sorted(with_soc2) == sorted(wanting)
    assert not [i for i in sheet.items if i.key in wanting and i.missing]
    page.goto(f"{live_server}/vendors/{vendor.id}/evidence")
    expect(page.locator("#evidence-library")).to_contain_text("20 answers")
    shoot("library-used-in", full=False)
