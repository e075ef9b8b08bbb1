"""Questionnaire page: server time to render a contact's assessment of the 150-question
questionnaire with every question answered (the library questionnaire grown to 150 questions,
group rows included; last year's answers offered beside each; files on every fifth answer).

Through the real app in-process, signed in as the vendor contact; the baseline is the
contact's home page through the same stack (session, CSRF, sign-in check, base template).
The split says where the time goes: building the view (queries and Python) against rendering
the template, each timed on its own outside HTTP.
"""

from __future__ import annotations

import time
from typing import Any

from bench import common, inprocess, portfolio

GOAL_P95_MS = 100.0


def _split(url: str, contact: portfolio.Contact, count: int) -> dict[str, float]:
    """Median ms for building the page's view and for rendering it, outside HTTP."""
    from sqlmodel import Session, select

    from app.assessments.service import get_assessment
    from app.db import make_engine
    from app.models import User
    from app.portal.view import assessment_view
    from app.web import templates

    engine = make_engine(url)
    builds, renders = [], []
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == contact.email)).one()
        for _ in range(count):
            session.expire_all()
            start = time.perf_counter()
            assessment = get_assessment(
                session=session, user=user, assessment_id=contact.assessment_id
            )
            page = assessment_view(
                session=session, user=user, assessment=assessment, today=portfolio.TODAY
            )
            built = time.perf_counter()
            templates.get_template("portal/assessment.html").render(
                page=page,
                filter="",
                user=user,
                csrf_token="x" * 43,
                flashes=[],
                request=_FakeRequest(),
            )
            builds.append(built - start)
            renders.append(time.perf_counter() - built)
    engine.dispose()
    return {
        "view_ms": common.ms(common.median(builds)),
        "render_ms": common.ms(common.median(renders)),
    }


class _FakeRequest:
    """Just enough of a request for `url_for('static', ...)` in the base template."""

    def url_for(self, name: str, **params: Any) -> str:
        return f"/static/{params.get('path', '')}"


def _measure(kind: str, quick: bool) -> dict[str, Any]:
    count = 20 if quick else 60
    directory = common.scratch(f"page-{kind}")
    try:
        with common.database(kind, directory) as url:
            portfolio.build(url, 10, 2)
            contact = portfolio.add_contacts(url, 1)[0]
            path = f"/portal/assessments/{contact.assessment_id}"
            sized = {q: portfolio.add_contacts(url, 1, questions=q)[0] for q in (75, 300)}
            sized[150] = contact
            with inprocess.client_for(url) as client:
                inprocess.sign_in(client, contact.email)
                baseline = inprocess.time_get(client, "/", count)
                page = inprocess.time_get(client, path, count)
                statements = common.statements(client, path)
                series = []
                for questions, someone in sorted(sized.items()):
                    inprocess.sign_in(client, someone.email)
                    timing = inprocess.time_get(
                        client, f"/portal/assessments/{someone.assessment_id}", count // 2
                    )
                    series.append({"questions": questions, **timing})
            split = _split(url, contact, 5 if quick else 15)
    finally:
        common.cleanup(directory)
    return {
        "database": kind,
        "baseline": baseline,
        "page": page,
        "ratio_p50": common.ratio(page["p50_ms"], baseline["p50_ms"]),
        "statements": statements,
        **split,
        "series": series,
    }


def run(quick: bool = False) -> dict[str, Any]:
    kinds = ["sqlite"] + (["postgresql"] if common.postgres_available() else [])
    results = []
    for kind in kinds:
        common.log(f"questionnaire page: {kind}")
        results.append(_measure(kind, quick))
    worst = max(r["page"]["p95_ms"] for r in results)
    print(
        common.table(
            "Questionnaire page (150 questions, all answered), in-process",
            [
                "database",
                "page p50 ms",
                "page p95 ms",
                "trivial p50 ms",
                "× trivial",
                "KB",
                "statements",
                "view ms",
                "render ms",
            ],
            [
                [
                    r["database"],
                    r["page"]["p50_ms"],
                    r["page"]["p95_ms"],
                    r["baseline"]["p50_ms"],
                    r["ratio_p50"],
                    r["page"]["kb"],
                    r["statements"],
                    r["view_ms"],
                    r["render_ms"],
                ]
                for r in results
            ],
        )
    )
    return {
        "name": "page",
        "results": results,
        "goal": {
            "text": f"p95 under {GOAL_P95_MS:.0f} ms",
            "value": worst,
            "ok": worst < GOAL_P95_MS,
        },
    }
