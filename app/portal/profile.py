"""The vendor's own register data, typed in the portal and proposed to the buyer.

What a vendor saves becomes a pending `ProviderProfileChange`, checked with the register's own
models (`app.vendors.profile_changes.check_proposal`); nothing reaches the register until a buyer
accepts it there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session
from starlette.datastructures import FormData

from app.audit.service import record
from app.forms import parse
from app.models import Contract, ProviderProfileChange, User, Vendor, utcnow
from app.portal.schemas import ProfileForm
from app.vendors.profile_changes import (
    AI_SYSTEM_FIELDS,
    MAX_ROWS,
    SUBCONTRACTOR_FIELDS,
    check_proposal,
    pending_change,
    profile_diff,
    register_snapshot,
)


def _rows(form: Mapping[str, Any], prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The filled-in rows of a table whose inputs are named `<prefix><n>-<field>`."""
    indices = sorted(
        {
            int(name[len(prefix) :].split("-")[0])
            for name in form
            if name.startswith(prefix) and name[len(prefix) :].split("-")[0].isdecimal()
        }
    )
    rows = []
    for index in indices[:MAX_ROWS]:
        row = {f: str(form.get(f"{prefix}{index}-{f}", "")).strip() for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


def profile_from_form(
    form: FormData, *, vendor: Vendor, contracts: list[Contract]
) -> dict[str, Any]:
    """The proposed profile as it is stored, or FieldErrors listing every problem."""
    services = []
    for contract in contracts:
        prefix = f"svc-{contract.id}-"
        services.append(
            {
                "contract_id": contract.id,
                "processing_countries": str(form.get(prefix + "processing_countries", "")),
                "storage_countries": str(form.get(prefix + "storage_countries", "")),
                "alternatives": str(form.get(prefix + "alternatives", "")).strip(),
                "subcontractors": _rows(form, prefix + "sub-", SUBCONTRACTOR_FIELDS),
                "ai_systems": _rows(form, prefix + "ai-", AI_SYSTEM_FIELDS),
            }
        )
    data = {"vendor": parse(ProfileForm, form).model_dump(), "services": services}
    return check_proposal(vendor=vendor, contracts=contracts, data=data).data


def propose_profile(
    *, session: Session, actor: User, vendor: Vendor, data: dict[str, Any], ip: str | None = None
) -> ProviderProfileChange:
    """Record the vendor's facts as the pending change (one per vendor, updated in place)."""
    change = pending_change(session=session, vendor_id=vendor.id)
    if change is None:
        change = ProviderProfileChange(vendor_id=vendor.id, data=data, submitted_by_id=actor.id)
    else:
        change.data = data
        change.submitted_by_id = actor.id
        change.submitted_at = utcnow()
    session.add(change)
    session.flush()
    record(
        session=session,
        action="vendor.profile_proposed",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={
            "change_id": change.id,
            "fields": len(profile_diff(register_snapshot(session=session, vendor=vendor), data)),
        },
        ip=ip,
    )
    return change
