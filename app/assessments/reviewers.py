"""Who reviews an assessment: an assigned analyst, by default the vendor's owner, else the
organisation's default reviewer (Organisation.settings["default_reviewer_id"])."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.audit.service import record
from app.auth.permissions import ROLE_PERMISSIONS, Permission, has_permission
from app.errors import InvalidInput
from app.models import Assessment, Organisation, User, Vendor

DEFAULT_REVIEWER = "default_reviewer_id"


def can_review(user: User | None, organisation_id: int) -> bool:
    """An active colleague of the organisation whose role reviews answers."""
    return (
        user is not None
        and user.active
        and user.organisation_id == organisation_id
        and has_permission(user.role, Permission.review_assessments)
    )


def reviewer_choices(*, session: Session, organisation_id: int) -> list[User]:
    """The colleagues who can review, by name (one query)."""
    roles = [
        r for r, granted in ROLE_PERMISSIONS.items() if Permission.review_assessments in granted
    ]
    return list(
        session.exec(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                col(User.active).is_(True),
                col(User.role).in_(roles),
            )
            .order_by(User.name)
        )
    )


def default_reviewer_id(
    *, session: Session, vendor: Vendor, organisation: Organisation | None = None
) -> int | None:
    """The vendor's owner when they can review, else the organisation's default reviewer."""
    organisation = organisation or session.get(Organisation, vendor.organisation_id)
    configured = ((organisation.settings if organisation else {}) or {}).get(DEFAULT_REVIEWER)
    for candidate in (vendor.owner_id, configured):
        if isinstance(candidate, int) and can_review(
            session.get(User, candidate), vendor.organisation_id
        ):
            return candidate
    return None


def assign_reviewer(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    reviewer_id: int | None,
    ip: str | None = None,
) -> Assessment:
    """Give the assessment to another analyst of the organisation (or to nobody)."""
    if reviewer_id is not None and not can_review(
        session.get(User, reviewer_id), assessment.organisation_id
    ):
        raise InvalidInput("Choose a colleague whose role reviews assessments.")
    before = assessment.reviewer_id
    assessment.reviewer_id = reviewer_id
    session.add(assessment)
    session.flush()
    record(
        session=session,
        action="assessment.reviewer_assigned",
        actor=actor,
        organisation_id=assessment.organisation_id,
        object_type="assessment",
        object_id=assessment.id,
        data={"from": before, "to": reviewer_id},
        ip=ip,
    )
    return assessment


def set_default_reviewer(
    *, session: Session, actor: User, reviewer_id: int | None, ip: str | None = None
) -> None:
    """The organisation's default reviewer, used when a vendor's owner cannot review."""
    organisation = session.get(Organisation, actor.organisation_id)
    assert organisation is not None  # buyer users belong to one
    if reviewer_id is not None and not can_review(session.get(User, reviewer_id), organisation.id):
        raise InvalidInput("Choose a colleague whose role reviews assessments.")
    settings = dict(organisation.settings or {})
    before = settings.get(DEFAULT_REVIEWER)
    settings[DEFAULT_REVIEWER] = reviewer_id
    organisation.settings = settings
    session.add(organisation)
    session.flush()
    record(
        session=session,
        action="organisation.default_reviewer_set",
        actor=actor,
        organisation_id=organisation.id,
        object_type="organisation",
        object_id=organisation.id,
        data={"from": before, "to": reviewer_id},
        ip=ip,
    )
