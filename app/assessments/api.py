"""/api/v1/assessments: list, send (one or many vendors), status steps, answers and threads.

Tenant-scoped like the pages: buyers see their organisation's assessments, vendor users the
assessments sent to their vendors. Answers are read-only here; vendors answer in the portal.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from sqlmodel import Session, col, select

from app.assessments import decisions, review
from app.assessments.comments import comments_for
from app.assessments.listing import AssessmentFilters, is_overdue, list_assessments
from app.assessments.schemas import (
    AnswerRead,
    AssessmentCreate,
    AssessmentDetail,
    AssessmentPageRead,
    AssessmentRead,
    CampaignRead,
    CommentRead,
    DecisionIn,
    TransitionIn,
    TransitionRead,
)
from app.assessments.sending import NewContact, Recipients, send_questionnaire
from app.assessments.service import answers_of, evidence_keys, get_assessment, timeline
from app.assessments.sheet import progress
from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import CurrentUser, SessionDep, require
from app.errors import InvalidInput
from app.models import AnswerEvidence, Assessment, Questionnaire, User, Vendor, utcnow
from app.problems import problems
from app.questionnaires.service import questionnaire_of
from app.register.service import owner_choices

router = APIRouter(prefix="/assessments", tags=["assessments"], responses=problems(401))

Sender = Annotated[User, require(Permission.send_questionnaires)]
Reviewer = Annotated[User, require(Permission.review_assessments)]


def _read(assessment: Assessment, vendor: Vendor, questionnaire: Questionnaire) -> AssessmentRead:
    return AssessmentRead(
        id=assessment.id,
        vendor_id=vendor.id,
        vendor_name=vendor.legal_name,
        questionnaire_id=questionnaire.id,
        questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version,
        campaign_id=assessment.campaign_id,
        previous_assessment_id=assessment.previous_assessment_id,
        status=assessment.status,
        due_date=assessment.due_date,
        overdue=is_overdue(assessment, utcnow().date()),
        sent_at=assessment.sent_at,
        submitted_at=assessment.submitted_at,
        completed_at=assessment.completed_at,
        created_at=assessment.created_at,
    )


def _read_one(session: Session, assessment: Assessment) -> AssessmentRead:
    vendor = session.get(Vendor, assessment.vendor_id)
    questionnaire = session.get(Questionnaire, assessment.questionnaire_id)
    assert vendor is not None and questionnaire is not None  # foreign keys
    return _read(assessment, vendor, questionnaire)


@router.get(
    "",
    response_model=AssessmentPageRead,
    summary="List assessments",
    responses=problems(422),
)
def list_(
    session: SessionDep,
    user: CurrentUser,
    status: Annotated[str | None, Query(description="draft, sent, in_progress, …")] = None,
    overdue: Annotated[
        bool, Query(description="past the due date, vendor still to answer")
    ] = False,
    vendor_id: int | None = None,
    campaign_id: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AssessmentPageRead:
    """Your organisation's assessments (a vendor token: those sent to your vendors), newest first."""
    result = list_assessments(
        session=session,
        user=user,
        filters=AssessmentFilters(
            status=status,
            overdue=overdue,
            vendor_id=vendor_id,
            campaign_id=campaign_id,
            page=page,
            per_page=per_page,
        ),
        today=utcnow().date(),
    )
    return AssessmentPageRead(
        items=[_read(a, v, q) for a, v, q in result.rows],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.post(
    "",
    response_model=CampaignRead,
    status_code=201,
    summary="Send a questionnaire to one or many vendors",
    responses=problems(403, 404, 422),
)
def create(
    request: Request,
    session: SessionDep,
    user: Sender,
    body: Annotated[AssessmentCreate | None, Body()] = None,
) -> CampaignRead:
    """Creates a campaign and one sent assessment per vendor, invites new contacts and queues the
    emails. All or nothing: one unknown vendor or contact and nothing is sent."""
    if body is None:
        raise InvalidInput("Send a JSON body with vendor_ids, questionnaire_id and due_date.")
    recipients = {
        r.vendor_id: Recipients(
            contact_ids=list(r.contact_ids),
            new_contacts=[NewContact(c.email.strip().lower(), c.name) for c in r.new_contacts],
        )
        for r in body.recipients
    }
    result = send_questionnaire(
        session=session,
        actor=user,
        vendor_ids=body.vendor_ids,
        questionnaire_id=body.questionnaire_id,
        due_date=body.due_date,
        message=body.message,
        name=body.name,
        recipients=recipients,
        settings=request.app.state.settings,
        ip=request_ip(request),
    )
    return CampaignRead(
        campaign_id=result.campaign.id,
        assessments=[_read_one(session, a) for a in result.assessments],
        invited=result.invited,
        emailed=result.notified,
    )


def _detail(session: Session, assessment: Assessment) -> AssessmentDetail:
    compiled = questionnaire_of(session=session, assessment=assessment)
    values = {
        k: a.value for k, a in answers_of(session=session, assessment_id=assessment.id).items()
    }
    done = progress(compiled, values, evidence_keys(session=session, assessment_id=assessment.id))
    return AssessmentDetail(
        **_read_one(session, assessment).model_dump(),
        message=assessment.message,
        progress_percent=done.percent,
        timeline=[
            TransitionRead(
                from_status=t.from_status,
                to_status=t.to_status,
                actor_id=t.actor_id,
                reason=t.reason,
                at=t.at,
            )
            for t in timeline(session=session, assessment=assessment)
        ],
    )


@router.get(
    "/{assessment_id}",
    response_model=AssessmentDetail,
    summary="Get an assessment with its timeline",
    responses=problems(404),
)
def read(session: SessionDep, user: CurrentUser, assessment_id: int) -> AssessmentDetail:
    return _detail(session, get_assessment(session=session, user=user, assessment_id=assessment_id))


@router.post(
    "/{assessment_id}/transitions",
    response_model=AssessmentDetail,
    summary="Change an assessment's status",
    responses=problems(403, 404, 409, 422),
)
def transition(
    request: Request,
    session: SessionDep,
    user: Reviewer,
    assessment_id: int,
    body: Annotated[TransitionIn | None, Body()] = None,
) -> AssessmentDetail:
    """begin_review, request_clarification (reason; emails the vendor), complete (with the
    review's decision unless one is recorded already), reopen (reason), cancel (reason). A step the current status does not allow is a 409 and changes nothing."""
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    if body is None:
        raise InvalidInput("Send a JSON body with the action (and a reason where needed).")
    if body.action == "send":
        raise InvalidInput("Drafts are sent with POST /api/v1/assessments.")
    if body.decision is not None and body.action != "complete":
        raise InvalidInput("A decision is posted with the action complete.")
    review.take_action(
        session=session,
        actor=user,
        assessment=assessment,
        action=body.action,
        reason=body.reason,
        settings=request.app.state.settings,
        ip=request_ip(request),
        decision=_decision_draft(session, assessment, body.decision),
    )
    return _detail(session, assessment)


def _decision_draft(
    session: Session, assessment: Assessment, posted: DecisionIn | None
) -> decisions.DecisionDraft | None:
    """The posted decision, its conditions checked as the form's are (owner, due date)."""
    if posted is None:
        return None
    owners = dict(owner_choices(session=session, organisation_id=assessment.organisation_id))
    rows = [
        {"text": c.text, "owner_id": str(c.owner_id), "due_date": c.due_date.isoformat()}
        for c in posted.conditions
    ]
    conditions, problems = decisions.parse_conditions(rows, owners=owners, today=date.today())
    return decisions.DecisionDraft(
        outcome=posted.outcome,
        rationale=posted.rationale,
        conditions=tuple(conditions),
        errors=problems,
    )


@router.get(
    "/{assessment_id}/answers",
    response_model=list[AnswerRead],
    summary="The answers (read-only)",
    responses=problems(404),
)
def answers(session: SessionDep, user: CurrentUser, assessment_id: int) -> list[AnswerRead]:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    rows = answers_of(session=session, assessment_id=assessment.id)
    links: dict[int, list[int]] = {}
    if rows:
        for answer_id, evidence_id in session.exec(
            select(AnswerEvidence.answer_id, AnswerEvidence.evidence_id).where(
                col(AnswerEvidence.answer_id).in_([a.id for a in rows.values()])
            )
        ):
            links.setdefault(answer_id, []).append(evidence_id)
    return [
        AnswerRead(
            question_key=a.question_key,
            value=a.value,
            comment=a.comment,
            version=a.version,
            review_state=a.review_state,
            review_reason=a.review_reason,
            answered_at=a.answered_at,
            reviewed_at=a.reviewed_at,
            evidence_ids=sorted(links.get(a.id, [])),
        )
        for a in sorted(rows.values(), key=lambda a: a.question_key)
    ]


@router.get(
    "/{assessment_id}/comments",
    response_model=list[CommentRead],
    summary="Threads on the answers",
    responses=problems(404),
)
def comments(session: SessionDep, user: CurrentUser, assessment_id: int) -> list[CommentRead]:
    """Buyers get internal notes and vendor messages; vendor tokens only the vendor messages."""
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    threads = comments_for(session=session, assessment=assessment, viewer=user)
    return [
        CommentRead(
            id=c.id,
            question_key=c.question_key,
            visibility=c.visibility,
            author=author.name if author else None,
            body=c.body,
            created_at=c.created_at,
        )
        for key in sorted(threads)
        for c, author in threads[key]
    ]
