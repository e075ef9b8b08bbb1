"""Every step in every status, over HTTP: the steps the state machine allows work, the others get
409 with the reason and change nothing (status, answers, attestation, audit trail)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.assessments.lifecycle import EDITABLE_STATES, TRANSITIONS
from app.auth.service import create_api_token
from app.evidence.service import store_evidence
from app.evidence.storage import store_for
from app.models import Answer, Assessment, AssessmentStatus, ProviderProfileChange
from tests.evidence.samples import pdf_bytes
from tests.security.conftest import audit_problems

BUYER_STEPS = ("begin_review", "request_clarification", "complete", "reopen", "cancel")
STATUSES = list(AssessmentStatus)


def _set(engine, assessment_id: int, status: AssessmentStatus) -> None:
    with Session(engine) as session:
        assessment = session.get(Assessment, assessment_id)
        assessment.status = status
        session.add(assessment)
        session.commit()


def _status(engine, assessment_id: int) -> str:
    with Session(engine) as session:
        return session.get(Assessment, assessment_id).status


@pytest.mark.parametrize("status", STATUSES)
def test_buyer_steps_through_the_api_in_every_status(status, client, session, site, engine, ledger):
    _, secret = create_api_token(session=session, user=site.admin, name="steps")
    session.commit()
    api = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/assessments/{site.assessment.id}/transitions"
    for step in BUYER_STEPS:
        _set(engine, site.assessment.id, status)
        ledger.mark()
        body = {"action": step, "reason": "Checked."}
        if step == "complete":  # a review ends with a decision
            body["decision"] = {"outcome": "approve", "rationale": "Controls meet our targets."}
        response = client.post(url, json=body, headers=api)
        transition = TRANSITIONS[step]
        if status in transition.source:
            assert response.status_code == 200, (step, response.text)
            assert response.json()["status"] == transition.target
            changed = ledger.changed()
            assert changed["assessmenttransition"][1] == changed["assessmenttransition"][0] + 1
            assert set(changed) <= {
                "assessmenttransition",
                "auditevent",
                "auditchain",
                "outboxemail",
                "scoreresult",
                "finding",
                "reviewdecision",
            }, changed
            assert audit_problems(engine) == []
        else:
            assert response.status_code == 409, (step, response.status_code)
            assert response.json()["title"] == "Invalid state change"
            assert "Cannot" in response.json()["detail"]
            assert _status(engine, site.assessment.id) == status
            ledger.assert_unchanged()
    _set(engine, site.assessment.id, status)
    ledger.mark()
    refused = client.post(url, json={"action": "send"}, headers=api)
    assert refused.status_code in (409, 422)
    for action in ("submit", "start", "resume", "explode", ""):  # vendor steps, or none at all
        response = client.post(url, json={"action": action, "reason": "x"}, headers=api)
        assert response.status_code in (403, 409, 422), action
    ledger.assert_unchanged()


def test_steps_that_need_a_reason_refuse_a_blank_one(client, session, site, engine, ledger):
    _, secret = create_api_token(session=session, user=site.analyst, name="steps")
    session.commit()
    api = {"Authorization": f"Bearer {secret}"}
    for step, status in (
        ("request_clarification", AssessmentStatus.under_review),
        ("reopen", AssessmentStatus.completed),
        ("cancel", AssessmentStatus.in_progress),
    ):
        _set(engine, site.assessment.id, status)
        ledger.mark()
        for reason in (None, "", "   \n\t"):
            body = {"action": step} if reason is None else {"action": step, "reason": reason}
            response = client.post(
                f"/api/v1/assessments/{site.assessment.id}/transitions", json=body, headers=api
            )
            assert response.status_code == 409 and "needs a reason" in response.json()["detail"]
        ledger.assert_unchanged()


@pytest.fixture
def answered(session, site, settings):
    """Every required question answered and a file in the library: only the status decides."""
    for key, value in (("gov.policy", 1), ("gov.role", "deployer")):
        session.add(Answer(assessment_id=site.assessment.id, question_key=key, value=value))
    evidence = store_evidence(
        session=session,
        store=store_for(settings),
        actor=None,
        vendor_id=site.vendor.id,
        filename="policy.pdf",
        chunks=[pdf_bytes()],
        limit=settings.upload_limit_bytes,
    )
    session.commit()
    return evidence.id


@pytest.mark.parametrize("status", STATUSES)
def test_vendor_writes_happen_only_in_the_status_that_allows_them(
    status, signed_in, site, engine, answered, ledger
):
    client = signed_in(site.contact)
    base = f"/portal/assessments/{site.assessment.id}"
    writes = {
        "save an answer": (
            lambda: client.post(f"{base}/answers/gov.notes", data={"value": "n", "version": "0"}),
            status in EDITABLE_STATES,
        ),
        "attach a file": (
            lambda: client.post(
                f"{base}/questions/gov.policy/evidence", data={"evidence_id": str(answered)}
            ),
            status in EDITABLE_STATES,
        ),
        "apply an import": (
            lambda: client.post(
                f"{base}/import/apply",
                data={"change": '{"key": "gov.policy", "value": 2, "version": 1}'},
            ),
            status in EDITABLE_STATES,
        ),
        "submit": (
            lambda: client.post(
                f"{base}/submit", data={"name": "Vera", "title": "CISO", "confirm": "on"}
            ),
            status in (AssessmentStatus.sent, AssessmentStatus.in_progress),
        ),
        "resume": (
            lambda: client.post(f"{base}/resume"),
            status == AssessmentStatus.clarification_requested,
        ),
    }
    for name, (send, allowed) in writes.items():
        _set(engine, site.assessment.id, status)
        ledger.mark()
        response = send()
        if status == AssessmentStatus.draft:
            assert response.status_code == 404, name  # a draft is not sent: invisible
            ledger.assert_unchanged()
        elif allowed:
            assert response.status_code in (200, 303), (name, response.text[-1500:])
            assert ledger.changed(), f"{name} stored nothing"
        else:
            assert response.status_code == 409, (name, response.status_code)
            assert "Traceback" not in response.text
            assert _status(engine, site.assessment.id) == status
            ledger.assert_unchanged()


def test_a_locked_assessment_refuses_the_import_preview(signed_in, site, engine):
    client = signed_in(site.contact)
    workbook = client.get(f"/portal/assessments/{site.assessment.id}/export.xlsx").content
    _set(engine, site.assessment.id, AssessmentStatus.submitted)
    response = client.post(
        f"/portal/assessments/{site.assessment.id}/import", files={"workbook": ("a.xlsx", workbook)}
    )
    assert response.status_code == 409 and "locked" in response.text


def test_the_same_buyer_step_twice_is_refused_the_second_time(client, session, site, engine):
    _, secret = create_api_token(session=session, user=site.analyst, name="steps")
    session.commit()
    api = {"Authorization": f"Bearer {secret}"}
    _set(engine, site.assessment.id, AssessmentStatus.submitted)
    url = f"/api/v1/assessments/{site.assessment.id}/transitions"
    assert client.post(url, json={"action": "begin_review"}, headers=api).status_code == 200
    assert client.post(url, json={"action": "begin_review"}, headers=api).status_code == 409


def test_a_decided_profile_change_cannot_be_decided_again(signed_in, site, session, ledger):
    change = ProviderProfileChange(vendor_id=site.vendor.id, data={"vendor": {}, "services": []})
    session.add(change)
    session.commit()
    buyer = signed_in(site.procurement)
    url = f"/vendors/{site.vendor.id}/profile-changes/{change.id}"
    assert (
        buyer.post(f"{url}/reject", data={"note": "no"}, follow_redirects=False).status_code == 303
    )
    ledger.mark()
    for decision in ("accept", "reject"):
        response = buyer.post(f"{url}/{decision}", follow_redirects=False)
        assert response.status_code in (404, 409), decision
    assert buyer.post(f"{url}/approve-everything").status_code == 404
    ledger.assert_unchanged()


def test_answer_and_evidence_reviews_only_under_review(signed_in, site, engine, answered, ledger):
    """Verdicts are given under review; on a submitted assessment the first one starts the
    review (tests/assessments/test_review.py), so it is left out here."""
    analyst = signed_in(site.analyst)
    url = f"/assessments/{site.assessment.id}/answers/gov.policy"
    for status in STATUSES:
        if status in (AssessmentStatus.under_review, AssessmentStatus.submitted):
            continue
        _set(engine, site.assessment.id, status)
        ledger.mark()
        response = analyst.post(f"{url}/review", data={"decision": "accepted"})
        assert response.status_code == 409, status
        ledger.assert_unchanged()
    _set(engine, site.assessment.id, AssessmentStatus.under_review)
    ledger.mark()
    for decision in ("pending", "maybe", ""):
        response = analyst.post(f"{url}/review", data={"decision": decision})
        assert response.status_code == 422, decision
    ledger.assert_unchanged()
    with Session(engine) as session:
        assert session.exec(select(Answer).where(Answer.question_key == "gov.policy")).one()
