"""How a review ends: the prohibited-practice stop and the recorded decision with conditions."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.assessments import decisions
from app.errors import InvalidTransition
from app.exports.assessment_report import build_assessment_report
from app.exports.reports import assessment_report_data
from app.forms import FieldErrors
from app.models import (
    AISystem,
    Answer,
    AssessmentStatus,
    AuditEvent,
    Finding,
    ReviewDecision,
)
from app.register.service import RegisterFilters
from app.register.workbook import write_register_workbook
from tests.exports.report_world import flat, pdf_text
from tests.factories import APPROVED_FORM
from tests.helpers import bearer, login
from tests.worlds import SentAssessment, make_sent_assessment

LATER = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def world(session: Session) -> SentAssessment:
    built = make_sent_assessment(session, vendor_name="Veridian Scoring Ltd", status="under_review")
    session.commit()
    return built


def _prohibited_in_register(session: Session, world: SentAssessment) -> None:
    session.add(
        AISystem(
            vendor_id=world.vendor.id,
            name="MoodScan",
            ai_act_class="minimal",
            buyer_risk_class="prohibited",
        )
    )
    session.commit()


def test_a_prohibited_practice_on_either_side_is_found(session, world):
    assert decisions.prohibited_practices(session=session, assessment=world.assessment) == []
    session.add(
        Answer(
            assessment_id=world.assessment.id,
            question_key="scope.ai_act_classes",
            value=["minimal", "prohibited"],
        )
    )
    session.flush()
    [vendor_side] = decisions.prohibited_practices(session=session, assessment=world.assessment)
    assert "vendor's answers" in vendor_side
    _prohibited_in_register(session, world)
    found = decisions.prohibited_practices(session=session, assessment=world.assessment)
    assert any("Our register classifies “MoodScan”" in why for why in found)


def test_the_review_cannot_complete_until_a_prohibited_practice_is_decided(client, session, world):
    _prohibited_in_register(session, world)
    login(client, world.analyst.email)
    page = client.get(f"/assessments/{world.assessment.id}")
    assert 'id="prohibited-practice"' in page.text and "cannot be completed" in page.text
    refused = client.post(f"/assessments/{world.assessment.id}/review/complete")
    assert refused.status_code == 409 and "prohibited AI practice" in refused.text
    session.refresh(world.assessment)
    assert world.assessment.status == AssessmentStatus.under_review

    blank = client.post(
        f"/assessments/{world.assessment.id}/decision/prohibited-practice",
        data={"practice_outcome": "proceed", "practice_rationale": "  "},
    )
    assert blank.status_code == 422 and 'id="error-practice_rationale"' in blank.text
    assert session.exec(select(ReviewDecision)).first() is None

    ok = client.post(
        f"/assessments/{world.assessment.id}/decision/prohibited-practice",
        data={
            "practice_outcome": "proceed",
            "practice_rationale": "The feature is switched off "
            "in our tenant by contract; verified in the configuration export.",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    session.rollback()  # a new read transaction sees what the request committed
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "assessment.prohibited_practice_decided")
    ).one()
    assert event.data["outcome"] == "proceed" and event.actor_id == world.analyst.id
    page = client.get(f"/assessments/{world.assessment.id}")
    assert "Proceed, with a justification" in page.text and "switched off" in page.text
    done = client.post(
        f"/assessments/{world.assessment.id}/review/complete",
        data=APPROVED_FORM,
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.rollback()
    session.refresh(world.assessment)
    assert world.assessment.status == AssessmentStatus.completed


def test_procurement_cannot_record_the_decision(client, session, world):
    _prohibited_in_register(session, world)
    login(client, world.procurement.email)
    response = client.post(
        f"/assessments/{world.assessment.id}/decision/prohibited-practice",
        data={"practice_outcome": "proceed", "practice_rationale": "We need it."},
    )
    assert response.status_code == 403
    assert session.exec(select(ReviewDecision)).first() is None


def test_approval_with_conditions_makes_each_condition_a_finding(client, session, world):
    login(client, world.analyst.email)
    response = client.post(
        f"/assessments/{world.assessment.id}/decision",
        data={
            "outcome": "approve_with_conditions",
            "rationale": "Sound controls; two contract gaps to close before go-live.",
            "condition-1-text": "Add the Art. 30(3)(c) audit clause to the contract",
            "condition-1-owner_id": str(world.procurement.id),
            "condition-1-due_date": LATER,
            "condition-2-text": "Evidence of the annual bias test",
            "condition-2-owner_id": str(world.analyst.id),
            "condition-2-due_date": LATER,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.rollback()
    decision = session.exec(select(ReviewDecision)).one()
    findings = session.exec(select(Finding).order_by(Finding.key)).all()
    assert [f.key for f in findings] == [
        f"condition:{decision.id}:1",
        f"condition:{decision.id}:2",
    ]
    assert (findings[0].owner_id, str(findings[0].due_date)) == (world.procurement.id, LATER)
    assert findings[0].vendor_id == world.vendor.id and findings[0].status == "open"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "assessment.decided")).one()
    assert event.data["outcome"] == "approve_with_conditions" and len(event.data["conditions"]) == 2
    page = client.get(f"/assessments/{world.assessment.id}")
    assert "Approve with conditions" in page.text and "two contract gaps" in page.text
    register = client.get(f"/register/vendors/{world.vendor.id}")
    assert register.status_code == 200 and "Approve with conditions" in register.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "approve", "rationale": ""}, "rationale", "Give the rationale"),
        ({"outcome": "maybe", "rationale": "Fine."}, "outcome", "Choose approve"),
        ({"outcome": "approve_with_conditions", "rationale": "Gaps."}, "conditions", "Add at least one condition"),
        (
            {"outcome": "approve_with_conditions", "rationale": "Gaps.",
             "condition-1-text": "Fix the clause", "condition-1-due_date": LATER},
            "condition-1-owner_id",
            "choose who owns it",
        ),
        (
            {"outcome": "approve_with_conditions", "rationale": "Gaps.",
             "condition-1-text": "Fix the clause", "condition-1-owner_id": "OWNER"},
            "condition-1-due_date",
            "give a due date",
        ),
        (
            {"outcome": "approve", "rationale": "Fine.", "condition-1-text": "Fix the clause",
             "condition-1-owner_id": "OWNER", "condition-1-due_date": LATER},
            "conditions",
            "Conditions belong to an approval with conditions",
        ),
    ],
)  # fmt: skip
def test_a_decision_that_is_incomplete_is_refused_and_nothing_is_saved(
    client, session, world, data, field, message
):
    login(client, world.analyst.email)
    data = {k: v.replace("OWNER", str(world.analyst.id)) for k, v in data.items()}
    response = client.post(f"/assessments/{world.assessment.id}/decision", data=data)
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text and message in response.text
    assert session.exec(select(ReviewDecision)).first() is None
    assert session.exec(select(Finding)).first() is None
    assert not session.exec(
        select(AuditEvent).where(AuditEvent.action == "assessment.decided")
    ).first()


def test_a_decision_needs_the_vendor_s_answers_first(session, world):
    world.assessment.status = AssessmentStatus.sent
    with pytest.raises(Exception, match="once the vendor has submitted"):
        decisions.record_review_decision(
            session=session, actor=world.analyst, assessment=world.assessment,
            outcome="approve", rationale="Early.", conditions=[],
        )  # fmt: skip


def test_check_can_complete_passes_without_a_prohibited_practice(session, world):
    decisions.check_can_complete(session=session, assessment=world.assessment)
    _prohibited_in_register(session, world)
    with pytest.raises(InvalidTransition):
        decisions.check_can_complete(session=session, assessment=world.assessment)
    with pytest.raises(FieldErrors):
        decisions.record_practice_decision(
            session=session, actor=world.analyst, assessment=world.assessment,
            outcome="shrug", justification="x",
        )  # fmt: skip


def test_the_decision_is_in_the_register_workbook_and_the_pdf_report(session, world):
    decisions.record_review_decision(
        session=session,
        actor=world.analyst,
        assessment=world.assessment,
        outcome="reject_do_not_onboard",
        rationale="Credit scoring without any oversight design.",
        conditions=[],
    )
    session.commit()
    out = io.BytesIO()
    write_register_workbook(
        out, session=session, organisation_id=world.org.id, filters=RegisterFilters(),
        generated_by="Tester",
    )  # fmt: skip
    out.seek(0)
    header, *rows = load_workbook(out)["Register"].iter_rows(values_only=True)
    cell = rows[0][header.index("Review decision")]
    assert cell.startswith("Reject: do not onboard (")
    report = assessment_report_data(
        session=session, organisation_id=world.org.id, assessment_id=world.assessment.id,
        generated_by="Tester",
    )  # fmt: skip
    assert report.decision.startswith("Reject: do not onboard") and "oversight" in report.decision
    assert "Reject: do not onboard" in flat(pdf_text(build_assessment_report(report)))


# --- completing is deciding -----------------------------------------------------------------------


def _tag(html: str, marker: str) -> str:
    """The HTML tag holding `marker`."""
    at = html.index(marker)
    return html[html.rindex("<", 0, at) : html.index(">", at) + 1]


def _complete(client, world, data=None, **headers):
    return client.post(
        f"/assessments/{world.assessment.id}/review/complete",
        data=data or {},
        headers=headers,
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "outcome", "Choose approve, approve with conditions or reject"),
        ({"outcome": "approve", "rationale": "   "}, "rationale", "Give the rationale"),
        ({"outcome": "approve_with_conditions", "rationale": "Gaps."}, "conditions",
         "Add at least one condition"),
        ({"outcome": "approve_with_conditions", "rationale": "Gaps.",
          "condition-1-text": "Fix the clause", "condition-1-due_date": "2001-01-01"},
         "condition-1-owner_id", "choose who owns it"),
    ],
)  # fmt: skip
def test_completing_without_a_decision_is_refused_and_changes_nothing(
    client, session, world, data, field, message
):
    login(client, world.analyst.email)
    page = client.get(f"/assessments/{world.assessment.id}")
    assert "required" in _tag(page.text, 'id="complete-field-outcome"')  # Complete review asks
    response = _complete(client, world, data)
    assert response.status_code == 422
    assert "The review was not completed: it ends with a decision" in response.text
    assert f'id="error-{field}"' in response.text and message in response.text
    session.rollback()
    session.refresh(world.assessment)
    assert world.assessment.status == AssessmentStatus.under_review
    assert session.exec(select(ReviewDecision)).first() is None
    assert session.exec(select(Finding).where(Finding.source == "condition")).first() is None
    assert not session.exec(
        select(AuditEvent).where(
            AuditEvent.action.in_(["assessment.decided", "assessment.complete"])
        )
    ).first()


def test_completing_with_the_decision_is_one_step(client, session, world):
    login(client, world.analyst.email)
    response = _complete(
        client,
        world,
        {
            "outcome": "approve_with_conditions",
            "rationale": "Sound controls; the audit clause must be signed before go-live.",
            "condition-1-text": "Sign the Art. 30(3)(e) audit clause",
            "condition-1-owner_id": str(world.procurement.id),
            "condition-1-due_date": LATER,
        },
    )
    assert response.status_code == 303
    session.rollback()
    session.refresh(world.assessment)
    assert world.assessment.status == AssessmentStatus.completed
    decision = session.exec(select(ReviewDecision)).one()
    assert decision.outcome == "approve_with_conditions"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "assessment.decided")).one()
    assert event.data["on_completion"] is True and event.object_id == str(world.assessment.id)
    condition = session.exec(select(Finding).where(Finding.source == "condition")).one()
    assert condition.owner_id == world.procurement.id and str(condition.due_date) == LATER
    page = client.get(f"/assessments/{world.assessment.id}")
    assert "Approve with conditions" in page.text and "audit clause must be signed" in page.text

    # A completed review's decision can still be superseded afterwards.
    again = client.post(
        f"/assessments/{world.assessment.id}/decision",
        data={"outcome": "reject_exit", "rationale": "The clause was refused."},
        follow_redirects=False,
    )
    assert again.status_code == 303
    session.rollback()
    latest = decisions.latest(
        session=session, assessment=world.assessment, kind=decisions.DecisionKind.review
    )
    assert latest is not None and latest.outcome == "reject_exit"


def test_a_decision_recorded_before_completes_the_review_without_asking_again(
    client, session, world
):
    login(client, world.analyst.email)
    decided = client.post(
        f"/assessments/{world.assessment.id}/decision",
        data={"outcome": "approve", "rationale": "Controls meet our targets."},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    page = client.get(f"/assessments/{world.assessment.id}")
    assert 'id="complete-with-decision"' in page.text
    # The browser lets the analyst complete without typing a new one.
    assert "required" not in _tag(page.text, 'id="complete-field-outcome"')
    assert _complete(client, world).status_code == 303
    session.rollback()
    session.refresh(world.assessment)
    assert world.assessment.status == AssessmentStatus.completed
    assert len(session.exec(select(ReviewDecision)).all()) == 1


def test_the_api_completes_with_a_decision_and_refuses_without(client, session, world):
    headers = bearer(session, world.analyst, "assay_decide_completion_token_0001")
    session.commit()
    url = f"/api/v1/assessments/{world.assessment.id}/transitions"
    refused = client.post(url, headers=headers, json={"action": "complete"})
    assert refused.status_code == 422
    assert "ends with a decision" in refused.json()["detail"]
    no_rationale = client.post(
        url, headers=headers, json={"action": "complete", "decision": {"outcome": "approve"}}
    )
    assert no_rationale.status_code == 422 and "rationale" in str(no_rationale.json())
    session.rollback()
    session.refresh(world.assessment)
    assert world.assessment.status == AssessmentStatus.under_review
    assert session.exec(select(ReviewDecision)).first() is None
    wrong_step = client.post(
        url,
        headers=headers,
        json={"action": "begin_review", "decision": {"outcome": "approve", "rationale": "x"}},
    )
    assert wrong_step.status_code == 422
    done = client.post(
        url,
        headers=headers,
        json={
            "action": "complete",
            "decision": {"outcome": "reject_do_not_onboard", "rationale": "No exit plan."},
        },
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    session.rollback()
    assert session.exec(select(ReviewDecision)).one().outcome == "reject_do_not_onboard"
