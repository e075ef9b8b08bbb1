"""Tenant scoping: every query that reads tenant data goes through one of these helpers.

Buyer staff see rows of their organisation (`organisation_id`). Vendor users see rows of the
vendors they are a contact of (`VendorContact.user_id`), whichever buyer invited them. An object
outside the caller's tenant is a 404, never a 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import false
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import Role, User, Vendor, VendorContact

Model = TypeVar("Model")


def is_vendor_user(user: User) -> bool:
    return Role(user.role).is_vendor


def vendor_ids_for(*, session: Session, user: User) -> list[int]:
    """The vendors (one row per buyer relationship) a vendor user belongs to; [] for buyers."""
    if not is_vendor_user(user):
        return []
    return list(
        session.exec(
            select(VendorContact.vendor_id)
            .where(VendorContact.user_id == user.id)
            .order_by(VendorContact.vendor_id)
        ).all()
    )


def _vendor_column(model: Any):
    return model.id if model is Vendor else model.vendor_id


def scope_buyer(query, model: Any, user: User):
    """Rows of the caller's organisation; nothing for a user without one (vendor users)."""
    if user.organisation_id is None or is_vendor_user(user):
        return query.where(false())
    return query.where(model.organisation_id == user.organisation_id)


def scope_vendor(query, model: Any, user: User):
    """Rows of the caller's vendors (`model.vendor_id`, or `Vendor.id`); nothing for buyers."""
    if not is_vendor_user(user):
        return query.where(false())
    memberships = select(VendorContact.vendor_id).where(VendorContact.user_id == user.id)
    return query.where(_vendor_column(model).in_(memberships))


def scope_for(query, model: Any, user: User):
    """Buyer or vendor scoping by the caller's role, for models both sides read (assessments)."""
    if is_vendor_user(user):
        return scope_vendor(query, model, user)
    return scope_buyer(query, model, user)


def get_scoped(*, session: Session, model: type[Model], object_id: int, user: User) -> Model:
    """One row of the caller's tenant by id, or NotFound (also for other tenants' rows)."""
    query = scope_for(select(model).where(model.id == object_id), model, user)  # type: ignore[attr-defined]
    row = session.exec(query).first()
    if row is None:
        raise NotFound(f"No {model.__name__.lower()} {object_id} here.")
    return row
