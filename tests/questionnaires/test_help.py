"""Help on every library question, evidence examples at the levels that ask for a file, and the
loader's refusal of examples that could never be shown."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

from app.assessments.reassessment import unchanged_questions
from app.questionnaires.diff import diff_questionnaires
from app.questionnaires.loader import (
    QuestionnaireError,
    canonical_json,
    load_questionnaire,
    parse_questionnaire,
)
from app.questionnaires.schema import Question
from app.questionnaires.service import Compiled
from app.questionnaires.workbook import definition_from_xlsx, definition_to_xlsx
from app.scoring.adapter import answer_level

LIBRARY_FILE = Path(__file__).resolve().parents[2] / "questionnaires/ai-governance-dora/v1.yaml"

SAMPLE = textwrap.dedent(
    """\
    key: sample
    version: 1
    title: Sample questionnaire
    sections:
      - key: basics
        title: Basics
        questions:
          - key: basics.policy
            text: Do you have an AI policy?
            help: Who approved it and when it was last reviewed.
            type: maturity
            levels: {0: none, 1: ad hoc, 2: partial, 3: documented, 4: measured, 5: improving}
            evidence: {kinds: [policy], required_from_level: 3}
            evidence_examples:
              3: The approved AI policy with its approval date.
              4: The policy and last year's review record.
              5: The review record showing changes made from lessons learned.
          - key: basics.notes
            text: Anything else?
            type: text
    """
)


@pytest.fixture(scope="module")
def library():
    return load_questionnaire(LIBRARY_FILE)


def test_every_library_question_has_its_own_help(library) -> None:
    missing = [q.key for q in library.questions() if not q.help or len(q.help) < 40]
    assert not missing, f"questions without useful help: {missing}"
    repeated = [text for text, n in Counter(q.help for q in library.questions()).items() if n > 1]
    assert not repeated, f"help repeated across questions: {repeated}"


def test_every_evidence_level_of_the_library_has_an_example(library) -> None:
    asking = [q for q in library.questions() if q.evidence_levels]
    assert len(asking) > 80  # nearly every scored control asks for a file at some level
    incomplete = {
        q.key: sorted(set(q.evidence_levels) - set(q.evidence_examples))
        for q in asking
        if set(q.evidence_examples) != set(q.evidence_levels)
    }
    assert not incomplete, f"evidence levels without an example: {incomplete}"
    lines = Counter(text for q in asking for text in q.evidence_examples.values())
    assert not [text for text, n in lines.items() if n > 1], "an example is repeated verbatim"


def test_evidence_levels_follow_the_scoring_rule(library) -> None:
    """Every level an example is written for is one at which a real answer asks for a file."""
    for question in library.questions():
        for level in question.evidence_levels:
            assert level >= question.evidence.required_from_level
        if question.type == "maturity" and question.evidence:
            assert answer_level(question, question.evidence_levels[0]) == max(
                1, question.evidence.required_from_level
            )


def test_multi_choice_levels_add_up_capped() -> None:
    question = Question.model_validate(
        {
            "key": "x.practices",
            "text": "Which practices?",
            "type": "multi_choice",
            "options": [
                {"value": "a", "label": "A", "level": 2},
                {"value": "b", "label": "B", "level": 2},
                {"value": "c", "label": "C", "level": 2},
                {"value": "none", "label": "None"},
            ],
            "evidence": {"kinds": ["record"], "required_from_level": 3},
        }
    )
    assert question.evidence_levels == (4, 5)
    assert answer_level(question, ["a", "b"]) == 4 and answer_level(question, ["a", "b", "c"]) == 5


def test_sample_with_examples_loads() -> None:
    questionnaire = parse_questionnaire(SAMPLE, "q.yaml")
    policy = questionnaire.question("basics.policy")
    assert policy.evidence_levels == (3, 4, 5)
    assert policy.evidence_examples[4] == "The policy and last year's review record."


def _refused(text: str) -> str:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text, "q.yaml")
    [problem] = caught.value.problems
    assert problem.key == "basics.policy" and problem.line is not None
    return problem.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "3: The approved",
            "2: The approved",
            "names level 2, but evidence is asked only at level 3, 4, 5",
        ),
        ("3: The approved", "0: The approved", "level is 1–5 (level 0 never asks for evidence)"),
        ("3: The approved", "7: The approved", "level is 1–5"),
        ("3: The approved", "three: The approved", "level is a whole number 1–5"),
        ("3: The approved AI policy with its approval date.", '3: ""', "needs text"),
        ("3: The approved AI policy with its approval date.", '3: "   "', "needs text"),
        (
            "3: The approved AI policy with its approval date.",
            '3: "The approved AI policy\\nwith its approval date."',
            "one line of text",
        ),
        (
            "        evidence: {kinds: [policy], required_from_level: 3}\n",
            "",
            "asks for no evidence",
        ),
    ],
)
def test_loader_refuses_bad_evidence_examples(old: str, new: str, message: str) -> None:
    assert old in SAMPLE
    assert message in _refused(SAMPLE.replace(old, new))


def test_examples_must_be_a_mapping_of_levels() -> None:
    start = SAMPLE.index("        evidence_examples:")
    end = SAMPLE.index("      - key: basics.notes")
    text = SAMPLE[:start] + '        evidence_examples: ["The AI policy"]\n' + SAMPLE[end:]
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text, "q.yaml")
    assert any("evidence_examples" in p.message for p in caught.value.problems)


def test_guidance_changes_are_not_a_rewording() -> None:
    """Help and examples may be improved in a new version without flagging the question."""
    old = parse_questionnaire(SAMPLE, "q.yaml")
    new = parse_questionnaire(
        SAMPLE.replace("Who approved it", "Who approved the policy")
        .replace("with its approval date.", "signed by the board.")
        .replace("version: 1", "version: 2"),
        "q.yaml",
    )
    assert unchanged_questions(Compiled(old), Compiled(new)) == {"basics.policy", "basics.notes"}
    diff = diff_questionnaires(old, new)
    assert diff.scoring_changed == []
    assert dict(diff.changed) == {"basics.policy": ["help", "evidence_examples"]}


def test_a_definition_without_examples_keeps_its_canonical_json() -> None:
    """Stored and uploaded definitions from before the field existed hash as they did."""
    start = SAMPLE.index("        evidence_examples:")
    end = SAMPLE.index("      - key: basics.notes")
    without = parse_questionnaire(SAMPLE[:start] + SAMPLE[end:], "q.yaml")
    assert b"evidence_examples" not in canonical_json(without)
    assert b"evidence_examples" in canonical_json(parse_questionnaire(SAMPLE, "q.yaml"))


def test_examples_survive_the_excel_template(library) -> None:
    again = definition_from_xlsx(definition_to_xlsx(library))
    assert canonical_json(again) == canonical_json(library)


def test_the_vendor_card_shows_help_and_folds_the_examples(library) -> None:
    from app.web import templates

    macro = templates.env.get_template("components/question_help.html").module.question_help
    html = str(macro(library.question("contract.audit_rights")))
    assert '<p class="question-help">Cover access, inspection and audit' in html
    assert '<details class="evidence-examples">' in html and " open" not in html
    assert "<dt>Level 2 · We offer pooled audits" in html
    assert "<dt>Level 5 · Yes, in our standard contract</dt>" in html
    plain = str(macro(library.question("dora.lei")))
    assert "question-help" in plain and "<details" not in plain
