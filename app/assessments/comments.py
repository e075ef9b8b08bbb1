"""Threads on a question: internal notes for the buyer's team, messages shared with the vendor.

Visibility is decided here and only here: a vendor-side reader never receives an internal note.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.audit.service import record
from app.errors import Forbidden, InvalidInput
from app.models import Assessment, Comment, CommentVisibility, Role, User

MAX_COMMENT = 5000


def add_comment(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    question_key: str,
    body: str,
    visibility: CommentVisibility | str,
    ip: str | None = None,
) -> Comment:
    visibility = CommentVisibility(visibility)
    if Role(actor.role).is_vendor and visibility == CommentVisibility.internal:
        raise Forbidden("Vendors cannot write internal notes.")
    body = body.strip()
    if not body:
        raise InvalidInput("Write a message first.")
    if len(body) > MAX_COMMENT:
        raise InvalidInput(f"Keep the message under {MAX_COMMENT:,} characters.")
    comment = Comment(
        assessment_id=assessment.id,
        question_key=question_key,
        visibility=visibility,
        author_id=actor.id,
        body=body,
    )
    session.add(comment)
    session.flush()
    record(
        session=session,
        action=f"comment.{visibility.value}",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="comment",
        object_id=comment.id,
        data={"assessment_id": assessment.id, "question_key": question_key},
        ip=ip,
    )
    return comment


def comments_for(
    *, session: Session, assessment: Assessment, viewer: User, question_key: str | None = None
) -> dict[str, list[tuple[Comment, User | None]]]:
    """Comments grouped by question key, oldest first, with authors; internal notes hidden from
    vendor-side viewers."""
    query = (
        select(Comment, User)
        .join(User, User.id == Comment.author_id, isouter=True)
        .where(Comment.assessment_id == assessment.id)
        .order_by(Comment.created_at, Comment.id)
    )
    if Role(viewer.role).is_vendor:
        query = query.where(Comment.visibility == CommentVisibility.vendor)
    if question_key is not None:
        query = query.where(Comment.question_key == question_key)
    grouped: dict[str, list[tuple[Comment, User | None]]] = {}
    for comment, author in session.exec(query):
        grouped.setdefault(comment.question_key, []).append((comment, author))
    return grouped
