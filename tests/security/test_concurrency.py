"""Many vendor contacts autosaving at once, each in their own browser (TestClient) and thread.

Different answers saved at the same moment must all be stored (no lost write, no error); the
same answer saved from the same row version by everyone must be won by exactly one save, the
others getting the conflict card (409). On SQLite (WAL, one writer at a time) and PostgreSQL.
Throughput is measured in bench/, not here.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import Answer, AssessmentStatus, AssessmentTransition, AuditEvent, Role
from tests.factories import make_assessment, make_questionnaire, make_vendor_user
from tests.helpers import login
from tests.security.conftest import audit_problems

CONTACTS = 20
ROUNDS = 3
HX = {"HX-Request": "true"}


def _questionnaire() -> dict:
    return {
        "key": "concurrency",
        "version": 1,
        "title": "Twenty questions",
        "sections": [
            {
                "key": "s",
                "title": "Everything",
                "questions": [
                    {"key": f"q{n:02d}", "text": f"Question {n}?", "type": "text"}
                    for n in range(CONTACTS)
                ],
            }
        ],
    }


@pytest.fixture
def crowd(app, session, site):
    """An assessment just sent, and twenty signed-in contacts of its vendor."""
    questionnaire = make_questionnaire(session, _questionnaire())
    assessment = make_assessment(session, site.org, site.vendor, site.procurement, questionnaire)
    people = [make_vendor_user(session, site.vendor, Role.vendor_contact) for _ in range(CONTACTS)]
    session.commit()
    clients = []
    for person in people:
        client = TestClient(app)
        client.__enter__()
        clients.append(login(client, person.email))
    yield assessment, clients
    for client in clients:
        client.__exit__(None, None, None)


def all_at_once(clients: list[TestClient], send: Callable[[int, TestClient], object]) -> list:
    """Run `send(i, client)` in one thread per client, released together; the responses."""
    start = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(index: int, client: TestClient) -> None:
        start.wait()
        try:
            results[index] = send(index, client)
        except Exception as exc:  # a 500 raised by TestClient: report it, do not hang
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_twenty_contacts_saving_different_answers_at_once_lose_nothing(crowd, engine):
    assessment, clients = crowd
    url = f"/portal/assessments/{assessment.id}/answers"

    responses = all_at_once(
        clients,
        lambda i, c: c.post(
            f"{url}/q{i:02d}",
            data={"value": f"answer from contact {i}", "version": "0"},
            headers=HX,
        ),
    )

    statuses = [getattr(r, "status_code", repr(r)) for r in responses]
    assert statuses == [200] * CONTACTS, statuses
    with Session(engine) as session:
        answers = {
            a.question_key: a
            for a in session.exec(select(Answer).where(Answer.assessment_id == assessment.id))
        }
        assert {k: a.value for k, a in answers.items()} == {
            f"q{i:02d}": f"answer from contact {i}" for i in range(CONTACTS)
        }
        assert {a.version for a in answers.values()} == {1}
        steps = session.exec(
            select(AssessmentTransition).where(AssessmentTransition.assessment_id == assessment.id)
        ).all()
        assert [(s.from_status, s.to_status) for s in steps] == [("sent", "in_progress")]
        saved = session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "answer.saved")
        ).one()
        assert saved == CONTACTS
        from app.models import Assessment

        assert session.get(Assessment, assessment.id).status == AssessmentStatus.in_progress
    assert audit_problems(engine) == []


def test_twenty_contacts_saving_the_same_answer_at_once_get_one_winner_per_version(crowd, engine):
    assessment, clients = crowd
    url = f"/portal/assessments/{assessment.id}/answers/q00"
    winners = []
    for round_ in range(ROUNDS):
        version = round_  # 0: the answer does not exist yet; then the winner's new version

        responses = all_at_once(
            clients,
            lambda i, c, v=version, r=round_: c.post(
                url, data={"value": f"round {r} by contact {i}", "version": str(v)}, headers=HX
            ),
        )

        statuses = Counter(getattr(r, "status_code", repr(r)) for r in responses)
        assert statuses == Counter({200: 1, 409: CONTACTS - 1}), statuses
        winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
        for response in responses:
            if response.status_code == 409:
                assert "changed by someone else" in response.text.lower()
                assert f"round {round_} by contact {winner}" in response.text  # theirs, shown
        winners.append(winner)
        with Session(engine) as session:
            answer = session.exec(
                select(Answer).where(
                    Answer.assessment_id == assessment.id, Answer.question_key == "q00"
                )
            ).one()
            assert (answer.value, answer.version) == (
                f"round {round_} by contact {winner}",
                round_ + 1,
            )
    with Session(engine) as session:
        saved = session.exec(
            select(AuditEvent.data)
            .where(
                AuditEvent.action == "answer.saved", AuditEvent.object_id == f"{assessment.id}:q00"
            )
            .order_by(AuditEvent.sequence)
        ).all()
    assert [d["after"] for d in saved] == [
        f"round {r} by contact {w}" for r, w in enumerate(winners)
    ]
    assert audit_problems(engine) == []
