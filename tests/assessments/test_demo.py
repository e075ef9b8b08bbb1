"""The assessments demo step: every status, answers and reviews, idempotent."""

from __future__ import annotations

from sqlmodel import func, select

from app.demo import ANALYST_EMAIL, load_demo
from app.models import Answer, Assessment, Comment, CommentVisibility, ReviewState, User


def test_demo_assessments_cover_every_status_and_load_twice(session, engine, settings):
    load_demo(engine, settings)
    statuses = session.exec(select(Assessment.status, func.count()).group_by(Assessment.status))
    counts = dict(statuses.all())
    assert set(counts) == {"draft", "sent", "in_progress", "submitted", "under_review",
                           "clarification_requested", "completed", "cancelled"}  # fmt: skip
    assert counts["completed"] >= 3
    states = set(session.exec(select(Answer.review_state)).all())
    assert {ReviewState.accepted, ReviewState.rejected} <= states
    kinds = set(session.exec(select(Comment.visibility)).all())
    assert kinds == {CommentVisibility.internal, CommentVisibility.vendor}
    submitted = session.exec(select(Assessment).where(Assessment.status == "submitted")).one()
    assert submitted.attestation and submitted.attestation["statement"]
    analyst = session.exec(select(User).where(User.email == ANALYST_EMAIL)).one()
    assert submitted.reviewer_id == analyst.id  # the vendor's owner reviews it: "My tasks"
    before = session.exec(select(func.count()).select_from(Answer)).one()
    session.rollback()

    load_demo(engine, settings)
    assert session.exec(select(func.count()).select_from(Assessment)).one() == sum(counts.values())
    assert session.exec(select(func.count()).select_from(Answer)).one() == before
