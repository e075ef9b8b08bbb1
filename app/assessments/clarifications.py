"""A clarification round: the analyst collects requests on single answers while reviewing, then
sends them back in one step, as ONE email listing each question with its request.

Until the round is sent a request is a draft only the buyer's team sees; sending posts each one to
its question's vendor thread. The round's state ("6 asked, 2 answered") is read from the answers'
verdict times, the round's send time and what the vendor did after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.assessments.comments import add_comment
from app.models import (
    VENDOR_ROLES,
    Answer,
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    Comment,
    CommentVisibility,
    ReviewState,
    User,
)

FLAGGED = (ReviewState.clarification, ReviewState.rejected)


@dataclass(frozen=True)
class Request:
    question_key: str
    state: str  # clarification | rejected
    reason: str


@dataclass(frozen=True)
class Round:
    sent_at: datetime | None  # when the last round went to the vendor
    drafts: tuple[Request, ...]  # written since, sent with the next send-back
    asked: int  # requests of the last round still open
    answered: int  # of those, the vendor changed the answer or replied since

    @property
    def summary(self) -> str:
        if not self.sent_at:
            return ""
        return f"{self.asked} asked, {self.answered} answered"


def _last_round(session: Session, assessment: Assessment) -> datetime | None:
    return session.exec(
        select(AssessmentTransition.at)
        .where(
            AssessmentTransition.assessment_id == assessment.id,
            AssessmentTransition.to_status == AssessmentStatus.clarification_requested,
        )
        .order_by(col(AssessmentTransition.at).desc(), col(AssessmentTransition.id).desc())
    ).first()


def clarification_round(*, session: Session, assessment: Assessment) -> Round:
    """The drafts waiting to be sent and the state of the last round (three queries)."""
    sent_at = _last_round(session, assessment)
    flagged = session.exec(
        select(Answer).where(
            Answer.assessment_id == assessment.id, col(Answer.review_state).in_(FLAGGED)
        )
    ).all()
    drafts, asked = [], []
    for answer in sorted(flagged, key=lambda a: a.id or 0):
        reviewed = answer.reviewed_at
        if sent_at is None or (reviewed is not None and reviewed > sent_at):
            drafts.append(
                Request(answer.question_key, str(answer.review_state), answer.review_reason or "")
            )
        else:
            asked.append(answer)
    answered = 0
    if sent_at is not None and asked:
        replied = set(
            session.exec(
                select(Comment.question_key)
                .join(User, col(User.id) == col(Comment.author_id))
                .where(
                    Comment.assessment_id == assessment.id,
                    Comment.visibility == CommentVisibility.vendor,
                    col(Comment.created_at) > sent_at,
                    col(User.role).in_(VENDOR_ROLES),
                )
            )
        )
        answered = sum(1 for a in asked if a.answered_at > sent_at or a.question_key in replied)
    return Round(sent_at=sent_at, drafts=tuple(drafts), asked=len(asked), answered=answered)


def post_requests(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    drafts: tuple[Request, ...],
    ip: str | None = None,
) -> None:
    """Each drafted request into its question's vendor thread, where the vendor answers it."""
    for request in drafts:
        if not request.reason:
            continue
        prefix = "Rejected: " if request.state == ReviewState.rejected else ""
        add_comment(
            session=session,
            actor=actor,
            assessment=assessment,
            question_key=request.question_key,
            body=prefix + request.reason,
            visibility=CommentVisibility.vendor,
            ip=ip,
        )
