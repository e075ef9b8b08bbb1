"""show_if evaluation: what a respondent sees for given answers."""

from __future__ import annotations

import textwrap

import pytest

from app.questionnaires.conditions import is_visible, visible_questions, with_context
from app.questionnaires.loader import QuestionnaireError, parse_questionnaire
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


BUYER_FACT = textwrap.dedent(
    """\
    key: buyer-fact
    version: 1
    title: Buyer fact
    sections:
      - key: main
        title: Main
        questions:
          - key: classes
            text: Classes
            type: multi_choice
            options:
              - {value: high, label: High}
              - {value: minimal, label: Minimal}
          - key: high_detail
            text: High-risk duties
            type: text
            show_if:
              any:
                - {question: classes, includes: high}
                - {question: buyer.ai_act_classes, includes: high}
    """
)


def test_a_fact_the_buyer_sets_shows_questions_the_vendor_s_answer_would_hide() -> None:
    questionnaire = parse_questionnaire(BUYER_FACT, "buyer-fact.yaml")

    def shown(answers: dict[str, object], context: dict[str, object] | None) -> bool:
        return "high_detail" in [q.key for q in visible_questions(questionnaire, answers, context)]

    assert not shown({"classes": ["minimal"]}, None)
    assert not shown({"classes": ["minimal"]}, {"buyer.ai_act_classes": ["minimal"]})
    assert shown({"classes": ["minimal"]}, {"buyer.ai_act_classes": ["high"]})
    assert shown({}, {"buyer.ai_act_classes": ["high", "minimal"]})
    assert shown({"classes": ["high"]}, {"buyer.ai_act_classes": []})
    # merged into the answers (as the cached visible_keys takes them), the fact works the same
    merged = with_context({"classes": ["minimal"]}, {"buyer.ai_act_classes": ["high"]})
    assert "high_detail" in Compiled(questionnaire).visible_keys(merged)
    # only declared facts are taken from the context
    assert with_context({}, {"buyer.other": ["high"]}) == {}


def test_a_show_if_on_a_buyer_fact_is_checked_like_one_on_a_question() -> None:
    bad_value = BUYER_FACT.replace(
        "buyer.ai_act_classes, includes: high", "buyer.ai_act_classes, includes: severe"
    )
    with pytest.raises(QuestionnaireError, match=r"not a value of 'buyer\.ai_act_classes'"):
        parse_questionnaire(bad_value, "bad.yaml")
    equals = BUYER_FACT.replace(
        "buyer.ai_act_classes, includes: high", "buyer.ai_act_classes, equals: high"
    )
    with pytest.raises(QuestionnaireError, match="test it with 'includes'"):
        parse_questionnaire(equals, "bad.yaml")
    reserved = BUYER_FACT.replace("key: classes", "key: buyer.ai_act_classes").replace(
        "{question: classes, includes: high}", "{question: buyer.ai_act_classes, includes: high}"
    )
    with pytest.raises(QuestionnaireError, match="reserved for a fact the buyer sets"):
        parse_questionnaire(reserved, "bad.yaml")
