"""Section page: server time to render the largest section of a contact's assessment of the
300-question questionnaire with every question answered (the library questionnaire grown to 300
questions, group rows included; last year's answers offered beside each; files on every fifth
answer). The vendor answers one section per page; the page also carries the whole
questionnaire's progress and section list.

Through the real app in-process, signed in as the vendor contact; the baseline is the
contact's home page through the same stack (session, CSRF, sign-in check, base template).
The split says where the time goes: building the page (queries and Python) against rendering
the template, each timed on its own outside HTTP.
"""

from __future__ import annotations

import time
from typing import Any

from bench import common, inprocess, portfolio

GOAL_P95_MS = 50.0
GOAL_KB = 150.0
QUESTIONS = 300


def largest_section(questions: int) -> tuple[str, int]:
    """The key and size of the section with the most questions: the heaviest page."""
    from bench import questionnaire

    section = max(questionnaire.definition(questions).sections, key=lambda s: len(s.questions))
    return section.key, len(section.questions)


def section_path(contact: portfolio.Contact, questions: int) -> str:
    return f"/portal/assessments/{contact.assessment_id}/sections/{largest_section(questions)[0]}"


def _split(url: str, contact: portfolio.Contact, count: int) -> dict[str, float]:
    """Median ms for building the page's view and for rendering it, outside HTTP."""
    from sqlmodel import Session, select

    from app.assessments.service import get_assessment
    from app.db import make_engine
    from app.models import User
    from app.portal.view import section_page
    from app.web import templates

    engine = make_engine(url)
    section_key = largest_section(QUESTIONS)[0]
    builds, renders = [], []
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == contact.email)).one()
        for _ in range(count):
            session.expire_all()
            start = time.perf_counter()
            assessment = get_assessment(
                session=session, user=user, assessment_id=contact.assessment_id
            )
            page = section_page(
                session=session,
                user=user,
                assessment=assessment,
                section_key=section_key,
                today=portfolio.TODAY,
            )
            built = time.perf_counter()
            templates.get_template("portal/assessment.html").render(
                page=page,
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
    """Just enough of a request for the base template: `url_for('static', ...)` and the path
    that marks the current navigation link."""

    class url:  # read as `request.url.path`
        path = "/portal"

    def url_for(self, name: str, **params: Any) -> str:
        return f"/static/{params.get('path', '')}"


def _measure(kind: str, quick: bool) -> dict[str, Any]:
    count = 20 if quick else 60
    directory = common.scratch(f"page-{kind}")
    try:
        with common.database(kind, directory) as url:
            portfolio.build(url, 10, 2)
            sized = {q: portfolio.add_contacts(url, 1, questions=q)[0] for q in (75, 150)}
            contact = sized[QUESTIONS] = portfolio.add_contacts(url, 1, questions=QUESTIONS)[0]
            path = section_path(contact, QUESTIONS)
            with inprocess.client_for(url) as client:
                inprocess.sign_in(client, contact.email)
                baseline = inprocess.time_get(client, "/", count)
                page = inprocess.time_get(client, path, count)
                statements = common.statements(client, path)
                series = []
                for questions, someone in sorted(sized.items()):
                    inprocess.sign_in(client, someone.email)
                    timing = inprocess.time_get(
                        client, section_path(someone, questions), count // 2
                    )
                    section = largest_section(questions)
                    series.append(
                        {"questions": questions, "section": section[0], "size": section[1]} | timing
                    )
            split = _split(url, contact, 5 if quick else 15)
    finally:
        common.cleanup(directory)
    return {
        "database": kind,
        "baseline": baseline,
        "page": page,
        "section": largest_section(QUESTIONS),
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
    heaviest = max(r["page"]["kb"] for r in results)
    print(
        common.table(
            f"Section page (largest section of {QUESTIONS} questions, all answered), in-process",
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
            "text": f"p95 under {GOAL_P95_MS:.0f} ms and under {GOAL_KB:.0f} KB of HTML",
            "value": worst,
            "kb": heaviest,
            "ok": worst < GOAL_P95_MS and heaviest < GOAL_KB,
        },
    }
