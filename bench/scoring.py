"""Scoring: assessments scored per second for the full (150-question) questionnaire.

The questions are the benchmark questionnaire's own, turned into the model's inputs by the same
adapter the service uses (`app.scoring.adapter.question_spec`); answers are random but valid,
with review verdicts and 0–2 evidence files each. The baseline is a bare loop that only looks up
each answer's level and sums them, so the ratio is what the explanation, evidence caps, domains
and findings cost on top. The model itself is pure: no database in this benchmark.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from typing import Any

from bench import common
from bench import questionnaire as bench_questionnaire

AS_OF = date(2026, 6, 30)
GOAL_COUNT = 10_000
GOAL_SECONDS = 10.0
STATES = ["pending", "accepted", "accepted", "clarification", "rejected"]
KINDS = ["policy", "procedure", "record", "report", "certificate", "contract"]


def specs(questions: int = bench_questionnaire.QUESTIONS) -> list[Any]:
    from app.scoring.adapter import question_spec

    defn = bench_questionnaire.definition(questions)
    return [spec for q in defn.questions() if (spec := question_spec(q)) is not None]


def assessments(count: int, questions: int = bench_questionnaire.QUESTIONS, seed: int = 2):
    """`count` assessments answering every scored question (random values, verdicts, files)."""
    from app.assessments.answers import coerce_answer
    from app.scoring import AnswerInput, EvidenceInput

    defn = bench_questionnaire.definition(questions)
    scored = [q for q in defn.questions() if q.scored]
    rng = random.Random(seed)
    out = []
    for a in range(count):
        answers = []
        for question in scored:
            value = coerce_answer(question, bench_questionnaire.raw_answer(question, rng))
            evidence = tuple(
                EvidenceInput(
                    f"ev-{a}-{question.key}-{k}",
                    f"{rng.getrandbits(256):064x}",
                    rng.choice(["provided", "accepted", "rejected"]),
                    AS_OF + timedelta(days=rng.randint(-200, 400)) if rng.random() < 0.5 else None,
                    rng.choice(KINDS),
                )
                for k in range(rng.choice([0, 0, 1, 1, 2]))
            )
            answers.append(AnswerInput(question.key, value, rng.choice(STATES), evidence))
        out.append(tuple(answers))
    return out


def baseline(question_specs, answer_sets) -> float:
    """The bare minimum: look up each answer's level and sum it."""
    levels = {q.key: q.level_for_value for q in question_specs}
    total = 0.0
    for answers in answer_sets:
        for answer in answers:
            mapping = levels[answer.question_key]
            if mapping is None:
                total += answer.value
            elif isinstance(answer.value, list):
                total += sum(mapping.get(v) or 0 for v in answer.value)
            else:
                total += mapping.get(answer.value) or 0
    return total


def _profile():
    from app.scoring import RiskProfile

    return RiskProfile(supports_critical_function=True, data_sensitivity="medium")


def score_all(question_specs, answer_sets) -> int:
    from app.scoring import ContractInput, ScoringConfig, compile_model

    model = compile_model(question_specs, ScoringConfig(as_of=AS_OF))
    profile = _profile()
    # One contract supporting a critical function: its 15 Art. 30 clauses judged each time.
    contracts = (ContractInput("C-1", True),)
    return sum(
        len(model.score(answers, profile, contracts=contracts).findings) for answers in answer_sets
    )


def _worker(job: tuple[int, int]) -> float:
    count, seed = job
    question_specs, answer_sets = specs(), assessments(count, seed=seed)
    start = time.perf_counter()
    score_all(question_specs, answer_sets)
    return time.perf_counter() - start


def run(quick: bool = False) -> dict[str, Any]:
    from app.scoring import ScoringConfig, compile_model

    count = 1_000 if quick else GOAL_COUNT
    repeats = 2 if quick else 3
    question_specs = specs()
    common.log(f"scoring: building {count:,} assessments of {len(question_specs)} scored questions")
    answer_sets = assessments(count)
    base = [common.timed(lambda: baseline(question_specs, answer_sets)) for _ in range(repeats)]
    single = [common.timed(lambda: score_all(question_specs, answer_sets)) for _ in range(repeats)]
    compile_s = common.median(
        [
            common.timed(lambda: compile_model(question_specs, ScoringConfig(as_of=AS_OF)))
            for _ in range(repeats)
        ]
    )
    findings = score_all(question_specs, answer_sets[:100]) / 100
    walls = []
    with ProcessPoolExecutor(2) as pool:
        for _ in range(1 if count >= GOAL_COUNT else repeats):  # each worker builds its own
            walls.append(max(pool.map(_worker, [(count // 2, 10), (count // 2, 11)])))
    series = []
    for questions in (75, 150, 300):
        some = specs(questions)
        sets = assessments(300 if quick else 1_000, questions, seed=5)
        elapsed = common.median(
            [common.timed(lambda s=some, a=sets: score_all(s, a)) for _ in range(repeats)]
        )
        series.append(
            {
                "questions": questions,
                "scored_questions": len(some),
                "assessments": len(sets),
                "ms_per_assessment": round(elapsed / len(sets) * 1000, 3),
            }
        )
    one = common.median(single)
    two = common.median(walls)
    b = common.median(base)
    per_goal = one / count * GOAL_COUNT
    result = {
        "name": "scoring",
        "assessments": count,
        "scored_questions": len(question_specs),
        "findings_per_assessment": round(findings, 1),
        "compile_ms": common.ms(compile_s),
        "baseline_s": round(b, 3),
        "baseline_per_s": round(count / b),
        "one_process_s": round(one, 3),
        "one_process_per_s": round(count / one),
        "two_processes_s": round(two, 3),
        "two_processes_per_s": round(count / two),
        "ratio": common.ratio(one, b),
        "seconds_for_10000": round(per_goal, 2),
        "series": series,
        "goal": {
            "text": f"{GOAL_COUNT:,} assessments in under {GOAL_SECONDS:.0f} s (one process)",
            "value": round(per_goal, 2),
            "ok": per_goal < GOAL_SECONDS,
        },
    }
    print(
        common.table(
            f"Scoring {count:,} assessments × {len(question_specs)} scored questions",
            ["what", "seconds", "assessments/s", "× baseline"],
            [
                ["baseline (sum levels)", b, round(count / b), 1.0],
                ["score, 1 process", one, round(count / one), common.ratio(one, b)],
                ["score, 2 processes", two, round(count / two), common.ratio(two, b)],
            ],
        )
    )
    return result
