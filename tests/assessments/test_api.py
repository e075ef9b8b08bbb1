"""/api/v1/assessments with API tokens: list, send, status steps, answers; problem JSON errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.assessments.service import save_answer
from app.auth.service import create_api_token
from app.models import Assessment, AssessmentStatus, User
from tests.factories import make_assessment

DUE = (date.today() + timedelta(days=21)).isoformat()


@pytest.fixture
def bearer(session):
    def token_for(user: User) -> dict[str, str]:
        _, secret = create_api_token(session=session, user=user, name="integration")
        session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return token_for


def test_send_to_many_vendors_list_and_filter(client: TestClient, session, team, bearer):
    headers = bearer(team.procurement)
    created = client.post(
        "/api/v1/assessments",
        headers=headers,
        json={
            "vendor_ids": [team.vendor_a.id, team.vendor_b.id],
            "questionnaire_id": team.questionnaire.id,
            "due_date": DUE,
            "message": "Annual review",
            "recipients": [
                {
                    "vendor_id": team.vendor_a.id,
                    "contact_ids": [],
                    "new_contacts": [{"email": "api@alpha.example", "name": "Api Person"}],
                }
            ],
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert [a["vendor_name"] for a in body["assessments"]] == ["Alpha AI GmbH", "Beta Models SA"]
    assert {a["status"] for a in body["assessments"]} == {"sent"}
    assert "api@alpha.example" in body["invited"] and team.contact_b.email in body["emailed"]

    listed = client.get(
        "/api/v1/assessments", headers=headers, params={"vendor_id": team.vendor_b.id}
    ).json()
    assert listed["total"] == 1 and listed["items"][0]["campaign_id"] == body["campaign_id"]
    assert client.get("/api/v1/assessments", headers=headers,
                      params={"status": "completed"}).json()["total"] == 0  # fmt: skip
    detail = client.get(f"/api/v1/assessments/{listed['items'][0]['id']}", headers=headers).json()
    assert detail["timeline"][0]["to_status"] == "sent" and detail["message"] == "Annual review"


def test_status_steps_and_problem_json(client, session, team, rival, bearer):
    assessment = make_assessment(session, team.org, team.vendor_a, team.procurement,
                                 team.questionnaire, status="in_progress")  # fmt: skip
    save_answer(session=session, actor=team.contact_a, assessment=assessment, key="gov.policy",
                raw_value="3", expected_version=0)  # fmt: skip
    session.commit()
    headers = bearer(team.analyst)
    url = f"/api/v1/assessments/{assessment.id}/transitions"

    refused = client.post(url, headers=headers, json={"action": "complete"})
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["status"] == 409 and "Cannot complete review" in problem["detail"]
    session.rollback()
    assert session.get(Assessment, assessment.id).status == AssessmentStatus.in_progress

    assessment.status = AssessmentStatus.submitted
    session.add(assessment)
    session.commit()
    moved = client.post(url, headers=headers, json={"action": "begin_review"})
    assert moved.status_code == 200 and moved.json()["status"] == "under_review"
    no_reason = client.post(url, headers=headers, json={"action": "request_clarification"})
    assert no_reason.status_code == 409 and "needs a reason" in no_reason.json()["detail"]

    answers = client.get(f"/api/v1/assessments/{assessment.id}/answers", headers=headers).json()
    assert answers == [
        {
            "question_key": "gov.policy",
            "value": 3,
            "comment": None,
            "version": 1,
            "review_state": "pending",
            "review_reason": None,
            "answered_at": answers[0]["answered_at"],
            "reviewed_at": None,
            "evidence_ids": [],
        }
    ]
    # Procurement may send but not review; another tenant's id is a 404.
    assert client.post(url, headers=bearer(team.procurement),
                       json={"action": "complete"}).status_code == 403  # fmt: skip
    other = client.get(f"/api/v1/assessments/{assessment.id}", headers=bearer(rival.procurement))
    assert other.status_code == 404 and other.json()["title"] == "Not found"


def test_sending_errors_are_clear(client, team, rival, bearer):
    headers = bearer(team.procurement)
    unknown = client.post("/api/v1/assessments", headers=headers, json={
        "vendor_ids": [rival.vendor.id], "questionnaire_id": team.questionnaire.id,
        "due_date": DUE})  # fmt: skip
    assert unknown.status_code == 404 and "No vendor" in unknown.json()["detail"]
    invalid = client.post("/api/v1/assessments", headers=headers, json={"vendor_ids": []})
    assert invalid.status_code == 422 and invalid.json()["errors"]
    assert client.get("/api/v1/assessments").status_code == 401


def test_vendor_tokens_see_only_their_sent_assessments(client, session, team, bearer):
    make_assessment(session, team.org, team.vendor_a, team.procurement, team.questionnaire,
                    status="draft")  # fmt: skip
    sent = make_assessment(session, team.org, team.vendor_a, team.procurement, team.questionnaire)
    make_assessment(session, team.org, team.vendor_b, team.procurement, team.questionnaire)
    session.commit()
    items = client.get("/api/v1/assessments", headers=bearer(team.contact_a)).json()["items"]
    assert [a["id"] for a in items] == [sent.id]


def test_the_api_is_documented_with_response_models(client):
    spec = client.app.openapi()  # served copy needs a sign-in (tests/api/test_docs.py)
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/assessments"])
    listing = paths["/api/v1/assessments"]["get"]["responses"]["200"]["content"]
    assert listing["application/json"]["schema"]["$ref"].endswith("AssessmentPageRead")
    steps = paths["/api/v1/assessments/{assessment_id}/transitions"]["post"]["responses"]
    assert "409" in steps and "AssessmentDetail" in str(steps["200"])
    assert "CommentRead" in str(paths["/api/v1/assessments/{assessment_id}/comments"])
    assert {"AnswerRead", "AssessmentCreate", "CampaignRead"} <= set(spec["components"]["schemas"])


def test_created_assessments_exist_in_the_database(client, session, team, bearer):
    client.post("/api/v1/assessments", headers=bearer(team.procurement), json={
        "vendor_ids": [team.vendor_c.id], "questionnaire_id": team.questionnaire.id,
        "due_date": DUE})  # fmt: skip
    session.rollback()
    row = session.exec(select(Assessment).where(Assessment.vendor_id == team.vendor_c.id)).one()
    assert row.status == AssessmentStatus.sent and row.created_by_id == team.procurement.id
