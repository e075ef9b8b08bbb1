"""What the vendor's page shows about reviews: a pending register proposal from the vendor and
whether the next assessment is re-sent automatically."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.assessments.reassessment import auto_resend_enabled
from app.assessments.schemas import AUTO_RESEND_CHOICES
from app.models import Organisation, ProviderProfileChange, Vendor
from app.vendors.profile_changes import pending_change


@dataclass(frozen=True)
class ReviewBox:
    proposal: ProviderProfileChange | None
    resend: bool  # what happens when the review is due
    choice: str  # default | on | off
    choices: dict[str, str]


def review_box(*, session: Session, vendor: Vendor) -> ReviewBox:
    organisation = session.get(Organisation, vendor.organisation_id)
    return ReviewBox(
        proposal=pending_change(session=session, vendor_id=vendor.id),
        resend=auto_resend_enabled(vendor, organisation),
        choice="default" if vendor.auto_resend is None else ("on" if vendor.auto_resend else "off"),
        choices=AUTO_RESEND_CHOICES,
    )
