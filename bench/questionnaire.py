"""The benchmark questionnaire: the library's own questionnaire grown to 150 questions, and a full
set of answers to it.

The library questionnaire (questionnaires/ai-governance-dora) has 124 questions; the issue asks
for 150, so the first maturity and choice questions of each section are copied (new keys, same
text, refs and evidence rules) until there are 150. Group questions, conditions and evidence
rules stay as they are, so pages, saves and scores do the same kind of work as for the real one.
"""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta
from typing import Any

from app.assessments.answers import coerce_answer
from app.questionnaires.loader import definition_dict, load_all, validate_definition
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.schema import Questionnaire as Definition
from app.questionnaires.service import LIBRARY_DIR

QUESTIONS = 150
KEY_PREFIX = "bench-ai-governance"
COPYABLE = ("maturity", "single_choice", "yes_no_na", "multi_choice")


def library_definition() -> Definition:
    return next(d for d in load_all(LIBRARY_DIR) if d.key == "ai-governance-dora")


def definition(questions: int = QUESTIONS) -> Definition:
    """The library questionnaire with copied questions up to `questions` in total."""
    data = copy.deepcopy(definition_dict(library_definition()))
    data["key"] = f"{KEY_PREFIX}-{questions}"
    data["title"] += f" ({questions} questions)"
    total = sum(len(s["questions"]) for s in data["sections"])
    while total > questions:  # smaller sizes: drop trailing questions nothing depends on
        needed = {key for s in data["sections"] for q in s["questions"] for key in _targets(q)}
        for section in reversed(data["sections"]):
            removable = [q for q in section["questions"] if q["key"] not in needed]
            if len(section["questions"]) > 1 and removable:
                section["questions"].remove(removable[-1])
                total -= 1
                break
        else:
            raise ValueError(f"cannot shrink the questionnaire to {questions} questions")
    copies = 0
    while total < questions:
        for section in data["sections"]:
            candidates = [
                q
                for q in section["questions"]
                if q["type"] in COPYABLE and not q.get("show_if") and ".copy" not in q["key"]
            ]
            if not candidates or total >= questions:
                continue
            source = candidates[copies % len(candidates)]
            clone = copy.deepcopy(source)
            clone["key"] = f"{source['key']}.copy{copies}"
            clone["text"] = f"{source['text']} (second service line)"
            section["questions"].append(clone)
            total += 1
        copies += 1
    return validate_definition(data, data["key"])


def _targets(node: Any) -> list[str]:
    """Question keys a show_if condition (anywhere inside `node`) looks at."""
    if isinstance(node, dict):
        found = [node["question"]] if isinstance(node.get("question"), str) else []
        return found + [key for value in node.values() for key in _targets(value)]
    if isinstance(node, list):
        return [key for value in node for key in _targets(value)]
    return []


def raw_answer(question: Question, rng: random.Random) -> Any:
    """A form-shaped answer of the right type (what a contact would post)."""
    kind = QuestionType(question.type)
    if kind == QuestionType.maturity:
        return rng.randint(0, 5)
    if kind in (QuestionType.single_choice, QuestionType.yes_no_na):
        return rng.choice(question.options).value
    if kind == QuestionType.multi_choice:
        return [o.value for o in question.options if rng.random() < 0.5] or [
            question.options[0].value
        ]
    if kind == QuestionType.number:
        return rng.randint(1, 400)
    if kind == QuestionType.date:
        return (date(2026, 6, 30) - timedelta(days=rng.randint(10, 700))).isoformat()
    if kind == QuestionType.text:
        return (
            "Our AI governance board (CTO, CISO, DPO, head of model risk) reviews this every "
            "quarter; decisions are minuted and tracked in the risk register, see policy AI-07."
        )
    if kind == QuestionType.group:
        rows = []
        for n in range(3):
            row: dict[str, Any] = {}
            for f in question.fields:
                if f.type == QuestionType.multi_choice:
                    row[f.key] = [f.options[0].value]
                elif f.type in (QuestionType.single_choice, QuestionType.yes_no_na):
                    row[f.key] = f.options[n % len(f.options)].value
                elif f.type == QuestionType.number:
                    row[f.key] = n + 1
                elif f.type == QuestionType.date:
                    row[f.key] = "2026-01-15"
                else:
                    row[f.key] = f"AI system {n + 1}: credit decision support"
            rows.append(row)
        return rows
    return None


def answers(defn: Definition, seed: int = 1) -> dict[str, Any]:
    """A stored value for every question that takes one (evidence-only questions take files)."""
    rng = random.Random(seed)
    values = {}
    for question in defn.questions():
        value = coerce_answer(question, raw_answer(question, rng))
        if value is not None:
            values[question.key] = value
    return values
