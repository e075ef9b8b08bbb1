"""Scoring throughput: assessments per second for a ~150-question questionnaire.

Compares `CompiledModel.score` with a baseline that only looks up each answer's level and sums
them, so the numbers show what the explanation, caps and findings cost on top of the bare loop.
Run: .venv/bin/python bench/score_bench.py [--assessments 10000] [--repeats 5] [--processes 2]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta

from app.scoring import (
    AnswerInput,
    EvidenceInput,
    QuestionSpec,
    ScoringConfig,
    VendorProfile,
    compile_model,
)
from app.scoring.catalog import _AI_ACT, _DORA, _ISO

AS_OF = date(2026, 6, 30)
CONFIG = ScoringConfig(as_of=AS_OF)
CHOICES = {"none": 0, "planned": 1, "partial": 2, "documented": 3, "measured": 4, "improving": 5}
PRACTICES = {"policy": 1, "owner": 1, "review": 1, "metrics": 1, "audit": 1, "na": None}


def make_questionnaire(n: int = 150, seed: int = 1) -> list[QuestionSpec]:
    rng = random.Random(seed)
    iso = sorted(_ISO)
    dora = sorted(k for k in _DORA if "(" in k)
    ai_act = sorted(_AI_ACT)
    kinds = ["maturity", "single_choice", "multi_choice", "yes_no_na"]
    questions = []
    for i in range(n):
        refs: dict[str, list[str]] = {"iso42001": rng.sample(iso, rng.choice([1, 1, 2, 3]))}
        if rng.random() < 0.3:
            refs["dora"] = rng.sample(dora, 1)
        if rng.random() < 0.15:
            refs["ai_act"] = rng.sample(ai_act, 1)
        kind = kinds[i % 4]
        levels = {"single_choice": CHOICES, "multi_choice": PRACTICES}.get(kind)
        questions.append(
            QuestionSpec(
                key=f"q{i:03d}",
                refs=refs,
                kind=kind,
                weight=rng.choice([1.0, 1.0, 2.0, 0.5]),
                critical=rng.random() < 0.1,
                level_for_value=levels,
            )
        )
    return questions


def make_answers(
    questions: list[QuestionSpec], count: int, seed: int = 2
) -> list[tuple[AnswerInput, ...]]:
    rng = random.Random(seed)
    states = ["pending", "accepted", "accepted", "clarification", "rejected"]
    assessments = []
    for a in range(count):
        answers = []
        for q in questions:
            if rng.random() < 0.1:
                continue
            if q.kind == "maturity":
                value: object = rng.randint(0, 5)
            elif q.kind == "single_choice":
                value = rng.choice(list(CHOICES))
            elif q.kind == "multi_choice":
                value = rng.sample(list(PRACTICES), rng.randint(0, 4))
            else:
                value = rng.choice(["yes", "no", "na"])
            evidence = tuple(
                EvidenceInput(
                    f"ev-{a}-{q.key}-{k}",
                    f"{rng.getrandbits(256):064x}",
                    rng.choice(["provided", "accepted", "rejected"]),
                    AS_OF + timedelta(days=rng.randint(-200, 400)) if rng.random() < 0.5 else None,
                )
                for k in range(rng.choice([0, 0, 1, 1, 2]))
            )
            answers.append(AnswerInput(q.key, value, rng.choice(states), evidence))
        assessments.append(tuple(answers))
    return assessments


def baseline(questions: list[QuestionSpec], assessments: list[tuple[AnswerInput, ...]]) -> float:
    """The bare minimum: look up each answer's level and sum it."""
    levels = {q.key: q.level_for_value for q in questions}
    total = 0.0
    for answers in assessments:
        for a in answers:
            mapping = levels[a.question_key]
            if mapping is None:
                total += a.value
            elif isinstance(a.value, list):
                total += sum(mapping.get(v) or 0 for v in a.value)
            else:
                total += mapping.get(a.value) or 0
    return total


def score_all(questions, assessments) -> int:
    model = compile_model(questions, CONFIG)
    profile = VendorProfile(supports_critical_function=True, data_sensitivity="confidential")
    findings = 0
    for answers in assessments:
        findings += len(model.score(answers, profile).findings)
    return findings


def _worker(args: tuple[int, int]) -> tuple[int, float]:
    count, seed = args
    questions = make_questionnaire()
    assessments = make_answers(questions, count, seed)
    start = time.perf_counter()
    score_all(questions, assessments)
    return count, time.perf_counter() - start


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assessments", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()

    questions = make_questionnaire()
    print(f"building {args.assessments} assessments of {len(questions)} questions…")
    assessments = make_answers(questions, args.assessments)
    n = args.assessments

    base = [timed(baseline, questions, assessments) for _ in range(args.repeats)]
    single = [timed(score_all, questions, assessments) for _ in range(args.repeats)]
    compile_times = [timed(compile_model, questions, CONFIG) for _ in range(args.repeats)]

    print(f"compile_model:            median {statistics.median(compile_times) * 1000:8.2f} ms")
    print(
        f"baseline (sum levels):    median {statistics.median(base):8.3f} s "
        f"= {n / statistics.median(base):10,.0f} assessments/s"
    )
    print(
        f"score, 1 process:         median {statistics.median(single):8.3f} s "
        f"= {n / statistics.median(single):10,.0f} assessments/s "
        f"({statistics.median(single) / statistics.median(base):.1f}x baseline)"
    )
    if args.processes > 1:
        share = n // args.processes
        walls = []
        with ProcessPoolExecutor(args.processes) as pool:
            for _ in range(args.repeats):
                jobs = [(share, 10 + p) for p in range(args.processes)]
                results = list(pool.map(_worker, jobs))
                walls.append(max(elapsed for _, elapsed in results))
        wall = statistics.median(walls)
        print(
            f"score, {args.processes} processes:       median {wall:8.3f} s "
            f"= {share * args.processes / wall:10,.0f} assessments/s (scoring time of the slowest worker)"
        )


if __name__ == "__main__":
    main()
