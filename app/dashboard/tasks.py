"""My tasks: what waits for the signed-in colleague: reviews assigned to them (or to nobody, for
whoever can review), vendor proposals to accept into the register, and findings they own that are
due soon. Three queries, each bounded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, or_, select

from app.auth.permissions import Permission, has_permission
from app.models import (
    Assessment,
    AssessmentStatus,
    Finding,
    FindingStatus,
    ProfileChangeStatus,
    ProviderProfileChange,
    User,
    Vendor,
)

DUE_WITHIN_DAYS = 14
LIMIT = 20
REVIEWABLE = (AssessmentStatus.submitted, AssessmentStatus.under_review)


@dataclass
class Tasks:
    reviews: list[tuple[Assessment, Vendor]] = field(default_factory=list)
    proposals: list[tuple[ProviderProfileChange, Vendor]] = field(default_factory=list)
    findings: list[tuple[Finding, Vendor]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.reviews) + len(self.proposals) + len(self.findings)


def my_tasks(*, session: Session, user: User, today: date) -> Tasks:
    tasks = Tasks()
    org = user.organisation_id
    if has_permission(user.role, Permission.review_assessments):
        tasks.reviews = list(
            session.exec(
                select(Assessment, Vendor)
                .join(Vendor, col(Vendor.id) == col(Assessment.vendor_id))
                .where(
                    Assessment.organisation_id == org,
                    col(Assessment.status).in_(REVIEWABLE),
                    or_(
                        Assessment.reviewer_id == user.id,
                        col(Assessment.reviewer_id).is_(None),
                    ),
                )
                .order_by(col(Assessment.submitted_at), col(Assessment.id))
                .limit(LIMIT)
            ).all()
        )
    if has_permission(user.role, Permission.manage_vendors):
        tasks.proposals = list(
            session.exec(
                select(ProviderProfileChange, Vendor)
                .join(Vendor, col(Vendor.id) == col(ProviderProfileChange.vendor_id))
                .where(
                    Vendor.organisation_id == org,
                    ProviderProfileChange.status == ProfileChangeStatus.pending,
                )
                .order_by(col(ProviderProfileChange.submitted_at))
                .limit(LIMIT)
            ).all()
        )
    tasks.findings = list(
        session.exec(
            select(Finding, Vendor)
            .join(Vendor, col(Vendor.id) == col(Finding.vendor_id))
            .where(
                Vendor.organisation_id == org,
                Finding.owner_id == user.id,
                col(Finding.status).in_([FindingStatus.open, FindingStatus.in_progress]),
                col(Finding.due_date).is_not(None),
                col(Finding.due_date) <= today + timedelta(days=DUE_WITHIN_DAYS),
            )
            .order_by(col(Finding.due_date))
            .limit(LIMIT)
        ).all()
    )
    return tasks
