"""What the journeys answer to the real library questionnaire, and how a person enters it.

One plan serves both ways of answering: `answer_in_browser` clicks and types it into the portal,
`answer_with_services` (in story.py) saves the same values through the domain's services, so every
journey meets the same assessment. The plan answers at maturity 2 (below the level that asks for a
file) except for EVIDENCED questions, which claim more and therefore need supporting evidence.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

from app.portal.view import anchor
from app.questionnaires.schema import Question, QuestionType

LIBRARY_KEY = "ai-governance-dora"
BASE_LEVEL = 2

# Claims above the evidence threshold: key → (answer, kind of file the vendor uploads).
EVIDENCED: dict[str, tuple[Any, str]] = {
    "policy.ai_policy": (4, "policy"),
    "aims.risk_assessment": (3, "procedure"),
    "contract.exit_transition": ("standard_terms", "contract"),
}
# Answers that make the scope realistic (and open the conditional AI Act questions).
CHOSEN: dict[str, Any] = {
    "scope.iso_roles": ["ai_provider", "ai_customer"],
    "scope.ai_act_roles": ["provider"],
    "scope.ai_act_classes": ["limited"],
    "scope.interacts_or_generates": "yes",
    "scope.eu_outputs": "yes",
    "supply.third_country": "no",
    "lifecycle.log_retention_months": 18,
    "supply.providers": [
        {
            "name": "Mistral AI",
            "provides": "foundation_model",
            "country": "FR",
            "substitutability": "moderate",
        },
        {
            "name": "Amazon Web Services",
            "provides": "cloud",
            "country": "IE",
            "substitutability": "hard",
        },
    ],
}
TEXT = "Documented in our AI governance handbook; owned by the Head of AI Risk."


def _ordinary(options: list[Any]) -> str:
    """The first option that declares no prohibited AI practice (that would stop the review)."""
    return next(o.value for o in options if o.value != "prohibited")


def _group_row(question: Question) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in question.fields:
        if field.type == QuestionType.text:
            row[field.key] = f"{field.text[:30]} — Claims triage assistant"
        elif field.type == QuestionType.number:
            row[field.key] = 1
        elif field.type == QuestionType.multi_choice:
            row[field.key] = [_ordinary(field.options)]
        elif field.options:
            row[field.key] = _ordinary(field.options)
        else:
            row[field.key] = "2026-01-31"
    return row


def planned_answer(question: Question) -> Any:
    """The value the journeys give `question` (pure)."""
    if question.key in EVIDENCED:
        return EVIDENCED[question.key][0]
    if question.key in CHOSEN:
        return CHOSEN[question.key]
    target = BASE_LEVEL
    if question.evidence is not None:
        target = min(target, question.evidence.required_from_level - 1)
    kind = question.type
    if kind == QuestionType.maturity:
        return target
    if kind in (QuestionType.single_choice, QuestionType.yes_no_na):
        scored = [o for o in question.options if o.level is not None]
        if not scored:
            return question.options[0].value
        below = [o for o in scored if o.level <= target]
        return (
            max(below, key=lambda o: o.level) if below else min(scored, key=lambda o: o.level)
        ).value
    if kind == QuestionType.multi_choice:
        return [question.options[0].value]
    if kind == QuestionType.text:
        return TEXT
    if kind == QuestionType.number:
        return 12
    if kind == QuestionType.date:
        return "2025-11-30"
    if kind == QuestionType.group:
        return [_group_row(question)]
    return None


# --- in the browser -------------------------------------------------------------------------------


def card(page: Page, key: str) -> Locator:
    return page.locator(f"article#{anchor(key)}")


def is_shown(page: Page, key: str) -> bool:
    return card(page, key).count() == 1


def wait_until_quiet(page: Page) -> None:
    """No htmx request in flight (htmx marks the requesting element with .htmx-request)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def expect_saved(page: Page, key: str) -> None:
    expect(page.locator(f"#state-{anchor(key)}")).to_have_text("Saved")
    wait_until_quiet(page)


def _fill_field(cell: Locator, field_type: str, value: Any) -> None:
    if field_type in (QuestionType.single_choice, QuestionType.yes_no_na):
        cell.locator("select").select_option(str(value))
    elif field_type == QuestionType.multi_choice:
        for option in value:
            cell.locator(f'input[type="checkbox"][value="{option}"]').check()
    else:
        cell.locator("input").fill(str(value))


def enter_answer(page: Page, question: Question, value: Any) -> None:
    """Answer one question the way a person does: click the option, type the text."""
    box = card(page, question.key)
    kind = question.type
    if kind in (QuestionType.maturity, QuestionType.single_choice, QuestionType.yes_no_na):
        box.locator(f'input[type="radio"][name="value"][value="{value}"]').check()
    elif kind == QuestionType.multi_choice:
        for option in value:
            box.locator(f'input[type="checkbox"][name="value"][value="{option}"]').check()
            wait_until_quiet(page)
    elif kind == QuestionType.text:
        box.locator('textarea[name="value"]').fill(value)
    elif kind == QuestionType.number:
        box.locator('input[name="value"]').fill(str(value))
        box.locator('input[name="value"]').press("Tab")
    elif kind == QuestionType.date:
        box.locator('input[name="value"]').fill(value)
    elif kind == QuestionType.group:
        for index, row in enumerate(value):
            rows = card(page, question.key).locator("tbody tr")
            if rows.count() <= index:
                card(page, question.key).get_by_role("button", name="Add row").click()
                expect(rows).to_have_count(index + 1)
            for position, field in enumerate(question.fields):
                cells = card(page, question.key).locator("tbody tr").nth(index).locator("td")
                _fill_field(cells.nth(position), field.type, row[field.key])
            card(page, question.key).locator(".question-text").click()  # leave the last field
    expect_saved(page, question.key)


def answer_in_browser(page: Page, questions: list[Question]) -> list[str]:
    """Answer every question the page shows, in order (answers reveal conditional questions).

    Returns the keys answered; hidden questions are left alone, as a person would.
    """
    answered = []
    for question in questions:
        if question.type == QuestionType.evidence_only or not is_shown(page, question.key):
            continue
        value = planned_answer(question)
        if value is None:
            continue
        enter_answer(page, question, value)
        answered.append(question.key)
    return answered


def expect_answer_shown(page: Page, question: Question, value: Any) -> None:
    """After a reload: the page shows the stored answer in its inputs."""
    box = card(page, question.key)
    kind = question.type
    if kind in (QuestionType.maturity, QuestionType.single_choice, QuestionType.yes_no_na):
        expect(box.locator(f'input[type="radio"][name="value"][value="{value}"]')).to_be_checked()
    elif kind == QuestionType.multi_choice:
        for option in value:
            expect(
                box.locator(f'input[type="checkbox"][name="value"][value="{option}"]')
            ).to_be_checked()
    elif kind == QuestionType.text:
        expect(box.locator('textarea[name="value"]')).to_have_value(value)
    elif kind in (QuestionType.number, QuestionType.date):
        expect(box.locator('input[name="value"]')).to_have_value(str(value))
    elif kind == QuestionType.group:
        for index, row in enumerate(value):
            for field in question.fields:
                name = f"row-{index}-{field.key}"
                if field.type == QuestionType.multi_choice:
                    for option in row[field.key]:
                        expect(
                            box.locator(f'input[name="{name}"][value="{option}"]')
                        ).to_be_checked()
                else:
                    expect(box.locator(f'[name="{name}"]')).to_have_value(str(row[field.key]))
