"""show_if evaluation: what a respondent sees for given answers."""

from __future__ import annotations

import textwrap

from app.questionnaires.conditions import is_visible, visible_questions
from app.questionnaires.loader import parse_questionnaire
from app.questionnaires.service import Compiled

DEFINITION = textwrap.dedent(
    """\
    key: conditions
    version: 1
    title: Conditions
    sections:
      - key: main
        title: Main
        questions:
          - key: role
            text: Roles
            type: multi_choice
            options:
              - {value: provider, label: Provider}
              - {value: deployer, label: Deployer}
              - {value: none, label: None}
          - key: uses_ai
            text: Uses AI
            type: yes_no_na
            show_if: {any: [{question: role, includes: provider}, {question: role, includes: deployer}]}
          - key: maturity
            text: Maturity
            type: maturity
            levels: {0: a, 1: b, 2: c, 3: d, 4: e, 5: f}
          - key: provider_detail
            text: Provider detail
            type: text
            show_if: {all: [{question: role, includes: provider}, {question: uses_ai, equals: "yes"}]}
          - key: mature_detail
            text: Mature detail
            type: text
            show_if: {question: maturity, in: [4, 5]}
    """
)
QUESTIONNAIRE = parse_questionnaire(DEFINITION, "conditions.yaml")


def keys(answers: dict[str, object]) -> list[str]:
    return [q.key for q in visible_questions(QUESTIONNAIRE, answers)]


def test_unconditional_questions_are_always_visible() -> None:
    assert keys({}) == ["role", "maturity"]


def test_includes_and_all() -> None:
    assert keys({"role": ["provider"], "uses_ai": "yes"}) == [
        "role",
        "uses_ai",
        "maturity",
        "provider_detail",
    ]
    assert "provider_detail" not in keys({"role": ["deployer"], "uses_ai": "yes"})
    assert "provider_detail" not in keys({"role": ["provider"], "uses_ai": "no"})


def test_in_compares_form_text_with_numbers() -> None:
    assert "mature_detail" in keys({"maturity": "4"})
    assert "mature_detail" in keys({"maturity": 5})
    assert "mature_detail" not in keys({"maturity": 3})


def test_stale_answer_to_a_hidden_question_reveals_nothing() -> None:
    # uses_ai was answered while the vendor was a provider, then the role changed to none
    answers = {"role": ["none"], "uses_ai": "yes"}
    assert keys(answers) == ["role", "maturity"]
    # is_visible alone looks only at the answers it is given
    assert not is_visible(QUESTIONNAIRE.question("provider_detail"), answers)


def test_includes_on_a_scalar_answer_is_false() -> None:
    assert not is_visible(QUESTIONNAIRE.question("uses_ai"), {"role": "provider"})


def test_remembered_visibility_matches_a_fresh_evaluation_as_answers_change() -> None:
    """Compiled.visible_keys keeps outcomes by the answers show_if tests: every lookup, including
    a return to a combination seen before, gives what visible_questions gives."""
    compiled = Compiled(QUESTIONNAIRE)
    sequence: list[dict[str, object]] = [
        {},
        {"role": ["provider"]},
        {"role": ["provider"], "uses_ai": "yes"},
        {"role": ["provider"], "uses_ai": "no"},  # differs only in a nested all's target
        {"role": ["provider"], "uses_ai": "yes", "maturity": 4},
        {"role": ["none"], "uses_ai": "yes"},
        {"role": ["provider"], "uses_ai": "yes", "provider_detail": "text"},
        {"maturity": None},
        {"maturity": "5"},
        {},
    ]
    for answers in sequence:
        assert compiled.visible_keys(answers) == set(keys(answers)), answers
