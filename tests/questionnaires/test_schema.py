"""Scoring facts carried by questions, and the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.questionnaires.schema import Question, Questionnaire, json_schema, json_schema_text
from app.scoring.adapter import answer_level

ROOT = Path(__file__).resolve().parents[2]

LEVELS = {n: f"level {n}" for n in range(6)}


def make_question(**fields: object) -> Question:
    data: dict[str, object] = {"key": "x.q", "text": "Question?", **fields}
    return Question.model_validate(data)


def test_committed_json_schema_is_current() -> None:
    committed = (ROOT / "questionnaires" / "schema.json").read_text(encoding="utf-8")
    assert committed == json_schema_text(), (
        "questionnaires/schema.json is stale; write app.questionnaires.schema.json_schema_text() to it"
    )
    assert json.loads(committed)["title"] == "Assay questionnaire definition"


def test_json_schema_forbids_unknown_fields() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Question"]["additionalProperties"] is False
    assert "show_if" in schema["$defs"]["Question"]["properties"]


def test_maturity_level_for_answer() -> None:
    question = make_question(type="maturity", levels=LEVELS)
    assert question.max_level == 5
    assert answer_level(question, 3) == 3
    assert answer_level(question, "4") == 4  # form posts arrive as text
    assert answer_level(question, None) is None
    assert answer_level(question, 6) is None
    assert answer_level(question, True) is None
    assert answer_level(question, "high") is None


def test_single_choice_level_is_the_options_level() -> None:
    question = make_question(
        type="single_choice",
        options=[
            {"value": "full", "label": "Full", "level": 5},
            {"value": "part", "label": "Partly", "level": 2},
            {"value": "na", "label": "Not applicable"},
        ],
    )
    assert question.max_level == 5
    assert answer_level(question, "part") == 2
    assert answer_level(question, "na") is None
    assert answer_level(question, "other") is None


def test_multi_choice_level_sums_selected_practices_like_the_scoring_model() -> None:
    question = make_question(
        type="multi_choice",
        options=[
            {"value": "a", "label": "A", "level": 1},
            {"value": "b", "label": "B", "level": 2},
            {"value": "d", "label": "D", "level": 4},
            {"value": "c", "label": "C"},
        ],
    )
    assert question.max_level == 5  # 1 + 2 + 4, capped at 5
    assert answer_level(question, ["a", "b"]) == 3
    assert answer_level(question, ["a", "b", "d"]) == 5
    assert answer_level(question, ["a", "c"]) == 1
    assert answer_level(question, ["a"]) == 1
    assert answer_level(question, []) == 0
    assert answer_level(question, ["c"]) is None
    assert answer_level(question, "b") == 2


def test_yes_no_na_defaults_and_optional_levels() -> None:
    plain = make_question(type="yes_no_na")
    assert [o.value for o in plain.options] == ["yes", "no", "na"]
    assert plain.max_level is None and not plain.scored
    assert answer_level(plain, "yes") is None
    scored = make_question(
        type="yes_no_na",
        options=[
            {"value": "yes", "label": "Yes", "level": 5},
            {"value": "no", "label": "No", "level": 0},
            {"value": "na", "label": "N/A"},
        ],
    )
    assert answer_level(scored, "no") == 0
    assert answer_level(scored, "na") is None


@pytest.mark.parametrize("kind", ["text", "number", "date", "group"])
def test_unscored_types_have_no_level(kind: str) -> None:
    question = make_question(type=kind)
    assert question.max_level is None
    assert answer_level(question, "anything") is None


def test_defaults_and_forbidden_extras() -> None:
    question = make_question(type="text")
    assert (question.required, question.weight, question.critical) == (True, 1.0, False)
    with pytest.raises(ValidationError):
        make_question(type="text", colour="red")
    with pytest.raises(ValidationError):
        make_question(type="text", weight=0)


def test_questionnaire_navigation() -> None:
    questionnaire = Questionnaire.model_validate(
        {
            "key": "demo",
            "version": 1,
            "title": "Demo",
            "sections": [
                {
                    "key": "a",
                    "title": "A",
                    "questions": [{"key": "a.one", "text": "1", "type": "text"}],
                },
                {
                    "key": "b",
                    "title": "B",
                    "questions": [
                        {"key": "b.two", "text": "2", "type": "text"},
                        {"key": "b.three", "text": "3", "type": "text"},
                    ],
                },
            ],
        }
    )
    assert [q.key for q in questionnaire.questions()] == ["a.one", "b.two", "b.three"]
    assert questionnaire.question("b.two").text == "2"
    assert questionnaire.section_of("b.three").key == "b"
    assert questionnaire.question_count == 3
    with pytest.raises(KeyError):
        questionnaire.question("c.four")
