"""Reading and changing the organisation's register details (audited, before and after)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, select

from app.audit.service import audit_diff, record
from app.errors import NotFound
from app.models import Organisation, User
from app.organisation.schemas import OrganisationDetails

COLUMNS = ("name", "lei", "country", "entity_type", "competent_authority")
SETTINGS = ("currency", "total_assets")  # kept in Organisation.settings


def _amount(value: Any) -> str | None:
    """Total assets as stored in the settings JSON: a plain decimal string ("18400000000")."""
    if value is None or value == "":
        return None
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)


def get_organisation(*, session: Session, user: User, lock: bool = False) -> Organisation:
    if user.organisation_id is None:
        raise NotFound("Only buyer staff have organisation settings.")
    query = select(Organisation).where(Organisation.id == user.organisation_id)
    org = session.exec(query.with_for_update() if lock else query).first()
    if org is None:
        raise NotFound("No such organisation.")
    return org


def register_details(org: Organisation) -> dict[str, Any]:
    """The form's values, and what an audit event compares."""
    settings = org.settings or {}
    return {
        **{name: getattr(org, name) for name in COLUMNS},
        "currency": settings.get("currency", "EUR"),
        "total_assets": _amount(settings.get("total_assets")),
    }


def update_register_details(
    *, session: Session, actor: User, data: OrganisationDetails, ip: str | None = None
) -> Organisation:
    """Save the details; one `organisation.updated` event with the changed fields before and
    after (none when nothing changed). Other settings keys are kept."""
    org = get_organisation(session=session, user=actor, lock=True)
    before = register_details(org)
    after = {
        **{name: getattr(data, name) for name in COLUMNS},
        "currency": data.currency,
        "total_assets": _amount(data.total_assets),
    }
    diff = audit_diff(before, after)
    if not diff["after"]:
        return org
    for name in COLUMNS:
        setattr(org, name, after[name])
    settings = dict(org.settings or {})  # a new dict, so the JSON column is seen as changed
    settings["currency"] = after["currency"]
    if after["total_assets"] is None:
        settings.pop("total_assets", None)
    else:
        settings["total_assets"] = after["total_assets"]
    org.settings = settings
    session.add(org)
    session.flush()
    record(
        session=session,
        action="organisation.updated",
        actor=actor,
        organisation_id=org.id,
        object_type="organisation",
        object_id=org.id,
        data=diff,
        ip=ip,
    )
    return org
