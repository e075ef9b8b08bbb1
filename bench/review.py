"""The analyst's review page and bulk accept, for a 300-question questionnaire answered in full
(the library questionnaire grown to 300 questions; files on every fifth answer; last year's
answers beside each).

Through the real app in-process, signed in as the risk analyst: the review page as it opens (the
first section) and with every section shown, each with its HTML size. Bulk accept: server time of
one step accepting 150 answers with their 150 audit events (`bulk_review.accept_answers`, flushed
and committed), repeated on fresh answers.
"""

from __future__ import annotations

import time
from typing import Any

from bench import common, inprocess, portfolio

QUESTIONS = 300
BULK = 150
GOAL_P95_MS = 50.0
GOAL_KB = 150.0
GOAL_BULK_MS = 1000.0


def _under_review(url: str, assessment_id: int) -> None:
    from app.db import make_engine, session_scope
    from app.models import Assessment

    engine = make_engine(url)
    with session_scope(engine) as session:
        assessment = session.get(Assessment, assessment_id)
        assessment.status = "under_review"
        session.add(assessment)
    engine.dispose()


def _bulk(url: str, assessment_id: int, repeats: int) -> list[float]:
    """Seconds for each bulk accept of BULK pending answers, commit included."""
    from sqlalchemy import update
    from sqlmodel import Session, col, select

    from app.assessments.bulk_review import accept_answers
    from app.db import make_engine
    from app.models import Answer, Assessment, User

    engine = make_engine(url)
    timings = []
    with Session(engine) as session:
        analyst = session.exec(select(User).where(User.email == portfolio.ANALYST)).one()
        for _ in range(repeats):
            session.execute(
                update(Answer)
                .where(Answer.assessment_id == assessment_id)
                .values(review_state="pending")
            )
            session.commit()
            assessment = session.get(Assessment, assessment_id)
            tokens = [
                (a.id, a.version)
                for a in session.exec(
                    select(Answer)
                    .where(Answer.assessment_id == assessment_id)
                    .order_by(col(Answer.id))
                    .limit(BULK)
                )
            ]
            session.expire_all()
            start = time.perf_counter()
            accept_answers(session=session, actor=analyst, assessment=assessment, tokens=tokens)
            session.commit()
            timings.append(time.perf_counter() - start)
    engine.dispose()
    return timings


def _measure(kind: str, quick: bool) -> dict[str, Any]:
    count = 15 if quick else 60
    directory = common.scratch(f"review-{kind}")
    try:
        with common.database(kind, directory) as url:
            portfolio.build(url, 4, 2)
            contact = portfolio.add_contacts(url, 1, questions=QUESTIONS)[0]
            _under_review(url, contact.assessment_id)
            path = f"/assessments/{contact.assessment_id}"
            with inprocess.client_for(url) as client:
                inprocess.sign_in(client, portfolio.ANALYST)
                page = inprocess.time_get(client, path, count)
                every = inprocess.time_get(client, path + "?section=all", max(count // 4, 5))
                statements = common.statements(client, path)
            bulk = _bulk(url, contact.assessment_id, 3 if quick else 8)
    finally:
        common.cleanup(directory)
    return {
        "database": kind,
        "page": page,
        "all_sections": every,
        "statements": statements,
        "bulk_ms": common.ms(max(bulk)),
        "bulk_median_ms": common.ms(common.median(bulk)),
    }


def run(quick: bool = False) -> dict[str, Any]:
    kinds = ["sqlite"] + (["postgresql"] if common.postgres_available() else [])
    results = []
    for kind in kinds:
        common.log(f"review page: {kind}")
        results.append(_measure(kind, quick))
    print(
        common.table(
            f"Review page ({QUESTIONS} questions, all answered) and bulk accept of {BULK}",
            [
                "database",
                "page p50 ms",
                "page p95 ms",
                "KB",
                "statements",
                "all sections p95 ms",
                "all sections KB",
                "bulk median ms",
                "bulk worst ms",
            ],
            [
                [
                    r["database"],
                    r["page"]["p50_ms"],
                    r["page"]["p95_ms"],
                    r["page"]["kb"],
                    r["statements"],
                    r["all_sections"]["p95_ms"],
                    r["all_sections"]["kb"],
                    r["bulk_median_ms"],
                    r["bulk_ms"],
                ]
                for r in results
            ],
        )
    )
    worst = max(r["page"]["p95_ms"] for r in results)
    size = max(r["page"]["kb"] for r in results)
    bulk = max(r["bulk_ms"] for r in results)
    return {
        "name": "review",
        "results": results,
        "goal": {
            "text": f"review page p95 under {GOAL_P95_MS:.0f} ms and {GOAL_KB:.0f} KB; bulk accept "
            f"of {BULK} under {GOAL_BULK_MS:.0f} ms",
            "value": worst,
            "ok": worst < GOAL_P95_MS and size < GOAL_KB and bulk < GOAL_BULK_MS,
        },
    }
