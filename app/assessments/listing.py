"""The assessments list: filters, pagination and tenant scoping shared by the page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.assessments.reminders import AWAITING_VENDOR
from app.auth.tenancy import is_vendor_user, scope_for
from app.errors import InvalidInput
from app.models import Assessment, AssessmentStatus, Campaign, Questionnaire, User, Vendor

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class AssessmentFilters:
    status: str | None = None
    overdue: bool = False
    vendor_id: int | None = None
    campaign_id: int | None = None
    page: int = 1
    per_page: int = 25


@dataclass
class AssessmentPage:
    rows: list[tuple[Assessment, Vendor, Questionnaire]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def is_overdue(assessment: Assessment, today: date) -> bool:
    """Past its due date while the vendor still has to answer."""
    return (
        assessment.due_date is not None
        and assessment.due_date < today
        and assessment.status in AWAITING_VENDOR
    )


def list_assessments(
    *, session: Session, user: User, filters: AssessmentFilters, today: date
) -> AssessmentPage:
    """One page of the caller's assessments (buyer: their organisation's; vendor: sent to them),
    newest first, with vendor and questionnaire loaded in the same query."""
    if filters.status and filters.status not in AssessmentStatus.__members__:
        raise InvalidInput(f"Unknown status {filters.status!r}.")
    page = max(1, filters.page)
    per_page = min(max(1, filters.per_page), MAX_PER_PAGE)

    def narrowed(query):
        query = scope_for(query, Assessment, user)
        if is_vendor_user(user):
            query = query.where(Assessment.status != AssessmentStatus.draft)
        if filters.status:
            query = query.where(Assessment.status == filters.status)
        if filters.overdue:
            query = query.where(
                col(Assessment.due_date) < today, col(Assessment.status).in_(AWAITING_VENDOR)
            )
        if filters.vendor_id:
            query = query.where(Assessment.vendor_id == filters.vendor_id)
        if filters.campaign_id:
            query = query.where(Assessment.campaign_id == filters.campaign_id)
        return query

    total = session.exec(narrowed(select(func.count()).select_from(Assessment))).one()
    rows = session.exec(
        narrowed(select(Assessment, Vendor, Questionnaire))
        # The definition (~120 kB of JSON) would be carried through the sort of every row.
        .options(defer(col(Questionnaire.definition)))
        .join(Vendor, col(Vendor.id) == col(Assessment.vendor_id))
        .join(Questionnaire, col(Questionnaire.id) == col(Assessment.questionnaire_id))
        .order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AssessmentPage(
        rows=[(a, v, q) for a, v, q in rows], total=total, page=page, per_page=per_page
    )


def filter_choices(*, session: Session, user: User) -> dict:
    """Vendors and campaigns for the filter menus (buyer side)."""
    vendors = session.exec(
        select(Vendor.id, Vendor.legal_name)
        .where(Vendor.organisation_id == user.organisation_id)
        .order_by(Vendor.legal_name)
    ).all()
    campaigns = session.exec(
        select(Campaign.id, Campaign.name)
        .where(Campaign.organisation_id == user.organisation_id)
        .order_by(col(Campaign.created_at).desc())
        .limit(100)
    ).all()
    return {"vendors": vendors, "campaigns": campaigns, "statuses": list(AssessmentStatus)}
