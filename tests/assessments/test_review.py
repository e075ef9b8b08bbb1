"""The analyst's review: verdicts, the clarification round trip, invalid steps, threads kept apart."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, func, select

from app.assessments.comments import add_comment
from app.assessments.lifecycle import Side
from app.assessments.review_page import Show, outcome_of
from app.assessments.service import answers_of, apply_transition, save_answer
from app.assessments.sheet import FileFacts
from app.auth.service import create_api_token
from app.models import (
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    CommentVisibility,
    Evidence,
    OutboxEmail,
    ReviewState,
    Vendor,
)
from app.questionnaires.loader import validate_definition
from tests.factories import APPROVED_FORM, SMALL_QUESTIONNAIRE, make_assessment
from tests.helpers import login

POLICY = validate_definition(SMALL_QUESTIONNAIRE, "test").question("gov.policy")
TODAY = date(2026, 11, 22)


def _file(vendor_id: int, name: str = "policy.pdf", media: str = "application/pdf", **values):
    return Evidence(
        vendor_id=vendor_id,
        sha256="a" * 64,
        filename=name,
        size=100,
        media_type=media,
        storage_key=f"aa/{name}",
        **{"kind": "policy", **values},  # the kind gov.policy asks for: only that kind counts
    )


def _facts(status: str, valid_until: date | None = None) -> FileFacts:
    """A policy file (the kind gov.policy asks for: only that kind counts) with this verdict."""
    return FileFacts(1, "a" * 64, "policy", valid_until, ReviewState(status))


def _outcome(value, state, files):
    return outcome_of(POLICY, value, ReviewState(state), files, today=TODAY)


def test_the_reviewer_figures_come_from_the_scoring_model():
    """The page reads each answer's levels through the scoring model's own rules (caps for
    missing, expired or rejected files; a rejected answer counts 0)."""
    assert _outcome(4, "pending", []).effective_level == 2
    uncapped = _outcome(2, "pending", [])
    assert (uncapped.claimed_level, uncapped.effective_level, uncapped.cap) == (2, 2, None)
    provided = _facts("pending")
    assert _outcome(4, "pending", [provided]).effective_level == 3  # unreviewed: at most 3
    assert _outcome(4, "pending", [_facts("accepted")]).effective_level == 4
    expired = _outcome(4, "pending", [_facts("pending", TODAY - timedelta(days=1))])
    assert expired.effective_level == 2 and "valid-until" in expired.cap_reason
    assert _outcome(4, "pending", [_facts("rejected")]).effective_level == 2
    assert _outcome(4, "rejected", [provided]).effective_level == 0
    assert _outcome(None, "pending", []) is None  # unanswered: "not answered"


def _fresh(session: Session, assessment: Assessment) -> Assessment:
    session.rollback()
    session.refresh(assessment)
    return assessment


@pytest.fixture
def submitted(session, team) -> Assessment:
    """Vendor A answered and submitted; a previous completed assessment answered 2."""
    previous = make_assessment(
        session, team.org, team.vendor_a, team.procurement, team.questionnaire, status="in_progress"
    )
    save_answer(session=session, actor=team.contact_a, assessment=previous, key="gov.policy",
                raw_value="2", expected_version=0)  # fmt: skip
    previous.status = AssessmentStatus.completed
    session.add(previous)
    assessment = make_assessment(
        session, team.org, team.vendor_a, team.procurement, team.questionnaire, status="in_progress"
    )
    assessment.previous_assessment_id = previous.id
    for key, value in [
        ("gov.policy", "4"),
        ("gov.role", "provider"),
        ("gov.provider_qms", "ISO 9001"),
    ]:
        save_answer(session=session, actor=team.contact_a, assessment=assessment, key=key,
                    raw_value=value, expected_version=0)  # fmt: skip
    apply_transition(session=session, assessment=assessment, name="submit", actor=team.contact_a,
                     side=Side.vendor)  # fmt: skip
    session.commit()
    return assessment


def test_analyst_completes_a_review_with_a_clarification_round_trip(
    client, session, team, submitted
):
    a = submitted
    login(client, team.analyst.email)
    page = client.get(f"/assessments/{a.id}")
    assert page.status_code == 200
    assert "claimed level 4 → counts <strong>2</strong>" in page.text  # no evidence yet
    assert "Previous assessment:</span> 2" in page.text

    assert client.post(f"/assessments/{a.id}/review/begin_review").status_code == 200
    assert _fresh(session, a).status == AssessmentStatus.under_review

    # Per answer: accept one, ask about another (posted to the vendor's thread).
    headers = {"HX-Request": "true"}
    accepted = client.post(f"/assessments/{a.id}/answers/gov.role/review",
                           data={"decision": "accepted"}, headers=headers)  # fmt: skip
    assert accepted.status_code == 200 and "answer-review review-accepted" in accepted.text
    asked = client.post(
        f"/assessments/{a.id}/answers/gov.policy/review",
        data={"decision": "clarification", "reason": "Which board approves the policy?"},
        headers=headers,
    )
    assert asked.status_code == 200 and "Which board approves the policy?" in asked.text
    refused = client.post(f"/assessments/{a.id}/answers/gov.provider_qms/review",
                          data={"decision": "rejected"})  # fmt: skip
    assert refused.status_code == 422  # a rejection needs a reason

    sent_back = client.post(
        f"/assessments/{a.id}/review/request_clarification",
        data={"reason": "Two answers need more detail."},
        follow_redirects=False,
    )
    assert sent_back.status_code == 303
    assert _fresh(session, a).status == AssessmentStatus.clarification_requested
    emails = session.exec(select(OutboxEmail).where(OutboxEmail.kind == "clarification")).all()
    assert {e.to_address for e in emails} == {team.contact_a.email, team.pending_a.email}
    assert "Two answers need more detail." in emails[0].text_body
    assert "How mature is your AI policy?" in emails[0].text_body

    # The vendor answers the question in the thread and updates the answer, then resubmits.
    apply_transition(session=session, assessment=a, name="resume", actor=team.contact_a,
                     side=Side.vendor)  # fmt: skip
    policy = answers_of(session=session, assessment_id=a.id)["gov.policy"]
    save_answer(session=session, actor=team.contact_a, assessment=a, key="gov.policy",
                raw_value="3", expected_version=policy.version)  # fmt: skip
    add_comment(session=session, actor=team.contact_a, assessment=a, question_key="gov.policy",
                body="The AI board, chaired by our CTO.", visibility="vendor")  # fmt: skip
    apply_transition(session=session, assessment=a, name="submit", actor=team.contact_a,
                     side=Side.vendor)  # fmt: skip
    session.commit()

    client.post(f"/assessments/{a.id}/review/begin_review")
    page = client.get(f"/assessments/{a.id}")
    assert "The AI board, chaired by our CTO." in page.text
    client.post(f"/assessments/{a.id}/answers/gov.policy/review", data={"decision": "accepted"})
    done = client.post(f"/assessments/{a.id}/review/complete", data=APPROVED_FORM,
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert _fresh(session, a).status == AssessmentStatus.completed and a.completed_at
    vendor = session.get(Vendor, team.vendor_a.id)
    session.refresh(vendor)
    assert vendor.next_review_date is not None
    steps = session.exec(
        select(AssessmentTransition.to_status)
        .where(AssessmentTransition.assessment_id == a.id)
        .order_by(AssessmentTransition.id)
    ).all()
    assert steps == ["submitted", "under_review", "clarification_requested",
                     "in_progress", "submitted", "under_review", "completed"]  # fmt: skip
    page = client.get(f"/assessments/{a.id}")
    assert "“Two answers need more detail.”" in page.text  # the timeline shows why


@pytest.mark.parametrize(
    ("status", "path", "data", "message"),
    [
        ("submitted", "review/complete", {}, "Cannot complete review"),
        ("sent", "review/begin_review", {}, "Cannot start review"),
        ("under_review", "review/request_clarification", {}, "needs a reason"),
        ("under_review", "review/reopen", {"reason": "x"}, "Cannot reopen"),
        ("completed", "review/cancel", {"reason": "x"}, "Cannot cancel assessment"),
        ("cancelled", "review/begin_review", {}, "Cannot start review"),
        ("sent", "send", {}, "Cannot send to vendor"),
        ("completed", "cancel", {"reason": "x"}, "Cannot cancel assessment"),
    ],
)
def test_invalid_steps_are_refused_and_change_nothing(
    client, session, team, status, path, data, message
):
    a = make_assessment(session, team.org, team.vendor_b, team.procurement, team.questionnaire,
                        status=status)  # fmt: skip
    session.commit()
    login(client, team.analyst.email if path.startswith("review/") else team.procurement.email)
    response = client.post(f"/assessments/{a.id}/{path}", data=data)
    assert response.status_code == 409 and message in response.text
    toast = client.post(f"/assessments/{a.id}/{path}", data=data, headers={"HX-Request": "true"})
    assert toast.status_code == 409 and toast.headers["HX-Retarget"] == "#toasts"
    assert _fresh(session, a).status == status
    assert session.exec(select(func.count()).select_from(AssessmentTransition)).one() == 0


def test_answers_are_reviewed_only_once_submitted(client, session, team, submitted):
    """The first verdict on a submitted assessment starts the review; before submission (or
    after completion) verdicts are refused."""
    login(client, team.analyst.email)
    response = client.post(f"/assessments/{submitted.id}/answers/gov.role/review",
                           data={"decision": "accepted"})  # fmt: skip
    assert response.status_code == 200
    assert _fresh(session, submitted).status == AssessmentStatus.under_review
    open_one = make_assessment(session, team.org, team.vendor_b, team.procurement,
                               team.questionnaire, status="in_progress")  # fmt: skip
    save_answer(session=session, actor=team.contact_b, assessment=open_one, key="gov.role",
                raw_value="provider", expected_version=0)  # fmt: skip
    session.commit()
    response = client.post(f"/assessments/{open_one.id}/answers/gov.role/review",
                           data={"decision": "accepted"})  # fmt: skip
    assert (
        response.status_code == 409 and "only while the assessment is under review" in response.text
    )


def test_evidence_is_previewed_beside_the_answer_and_judged_per_file(
    client, session, team, submitted
):
    answer = answers_of(session=session, assessment_id=submitted.id)["gov.policy"]
    pdf, image, sheet = (
        _file(team.vendor_a.id, "policy.pdf"),
        _file(team.vendor_a.id, "chart.png", "image/png"),
        _file(team.vendor_a.id, "register.xlsx", "application/vnd.ms-excel"),
    )
    session.add_all([pdf, image, sheet])
    session.flush()
    for item in (pdf, image, sheet):
        session.add(AnswerEvidence(answer_id=answer.id, evidence_id=item.id))
    submitted.status = AssessmentStatus.under_review
    session.add(submitted)
    session.commit()
    login(client, team.analyst.email)
    page = client.get(f"/assessments/{submitted.id}").text
    assert f'<iframe src="/evidence/{pdf.id}/preview"' in page
    assert f'<img src="/evidence/{image.id}/preview"' in page
    assert f"/evidence/{sheet.id}/preview" not in page and f"/evidence/{sheet.id}/download" in page
    assert "claimed level 4 → counts <strong>3</strong>" in page  # files not yet reviewed
    for item in (pdf, image, sheet):
        client.post(f"/assessments/{submitted.id}/answers/gov.policy/evidence/{item.id}/review",
                    data={"decision": "rejected"})  # fmt: skip
    session.rollback()
    states = session.exec(
        select(AnswerEvidence.review_state).where(AnswerEvidence.answer_id == answer.id)
    ).all()
    assert set(states) == {ReviewState.rejected}
    page = client.get(f"/assessments/{submitted.id}").text
    assert "claimed level 4 → counts <strong>2</strong>" in page
    assert "the only evidence was rejected by the reviewer" in page


def test_internal_notes_never_reach_the_vendor(client, session, team, submitted):
    login(client, team.analyst.email)
    for visibility, body in [("internal", "Looks thin, check their SOC 2."),
                             ("vendor", "Please attach the signed policy.")]:  # fmt: skip
        response = client.post(
            f"/assessments/{submitted.id}/answers/gov.policy/comments",
            data={"visibility": visibility, "body": body},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200 and body in response.text
    page = client.get(f"/assessments/{submitted.id}").text
    assert "Looks thin, check their SOC 2." in page and "Please attach the signed policy." in page

    vendor = client.__class__(client.app)
    with vendor:
        login(vendor, team.contact_a.email)
        assert vendor.get(f"/assessments/{submitted.id}").status_code == 403
        portal = vendor.get(f"/portal/assessments/{submitted.id}")
        assert "Looks thin" not in portal.text
        _, token = create_api_token(session=session, user=team.contact_a, name="vendor script")
        session.commit()
        api = vendor.get(
            f"/api/v1/assessments/{submitted.id}/comments",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert api.status_code == 200
        bodies = [c["body"] for c in api.json()]
        assert bodies == ["Please attach the signed policy."]
        assert {c["visibility"] for c in api.json()} == {CommentVisibility.vendor}


def test_the_list_filters_and_its_query_count_does_not_grow(client, session, engine, team):
    from sqlalchemy import event

    for _ in range(3):
        make_assessment(session, team.org, team.vendor_b, team.procurement, team.questionnaire)
    overdue = make_assessment(session, team.org, team.vendor_c, team.procurement,
                              team.questionnaire, status="in_progress")  # fmt: skip
    overdue.due_date = date.today() - timedelta(days=2)
    session.add(overdue)
    session.commit()
    login(client, team.auditor.email)
    page = client.get("/assessments?overdue=1").text.split('id="assessment-results"')[1]
    assert "Gamma Cloud BV" in page and "Beta Models SA" not in page
    page = client.get(f"/assessments?vendor_id={team.vendor_b.id}&status=sent").text
    assert "3 assessments" in page

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/assessments").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    few = count_queries()
    for _ in range(10):
        make_assessment(session, team.org, team.vendor_a, team.procurement, team.questionnaire)
    session.commit()
    assert count_queries() == few


def test_a_section_page_counts_every_section_but_builds_rows_for_its_own(session):
    """The counts of the sections not shown come from the sheet's summary: the same verdicts,
    files and scoring caps as a built row would show."""
    from app.assessments.review_page import review_page
    from tests.factories import make_questionnaire
    from tests.portal.test_navigation import TWO_SECTIONS
    from tests.worlds import make_sent_assessment

    world = make_sent_assessment(
        session, questionnaire=make_questionnaire(session, TWO_SECTIONS), status="in_progress"
    )
    answers = {}
    for key in ("a.one", "a.two", "b.one"):
        answers[key] = save_answer(session=session, actor=world.contact,
                                   assessment=world.assessment, key=key, raw_value="yes",
                                   expected_version=0)  # fmt: skip
    answers["a.two"].review_state = ReviewState.accepted
    answers["b.one"].review_state = ReviewState.clarification
    session.add_all(answers.values())
    session.commit()
    page = review_page(session=session, assessment=world.assessment, viewer=world.analyst,
                       today=TODAY, section="first", show=Show.all)  # fmt: skip
    assert page.section == "first"
    assert [r.question.key for r in page.rows] == ["a.one", "a.two"]
    nav = {n.key: (n.total, n.pending, n.attention) for n in page.nav}
    # b.two is shown and unanswered but not required: no attention for it.
    assert nav == {"first": (2, 1, 0), "second": (2, 0, 1)}
    assert page.counts["pending"] == 1 and page.counts["clarification"] == 1
    assert page.eligible == 1  # a.one: pending, no file needed
    assert page.sheet.progress.answered == 3
    second = review_page(session=session, assessment=world.assessment, viewer=world.analyst,
                         today=TODAY, section="second", show=Show.attention)  # fmt: skip
    assert [r.question.key for r in second.rows] == ["b.one"] and second.rows[0].attention
