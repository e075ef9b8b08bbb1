"""What a vendor states in its questionnaire answers, proposed to the buyer's register.

The AI systems it lists (with their model providers), its cloud providers, the countries where
its suppliers process the buyer's data, and its LEI become a pending profile change when it
submits: the buyer sees them as a diff and accepts them through the register's own rules
(`profile_changes.accept_change`), exactly as facts the vendor types on its register-data page.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.audit.service import record
from app.forms import FieldErrors
from app.models import Assessment, IdentifierType, ProviderProfileChange, User, Vendor
from app.vendors.identifiers import country_problem, lei_problem
from app.vendors.profile_changes import (
    MAX_ROWS,
    check_proposal,
    contracts_of,
    pending_change,
    profile_diff,
    register_snapshot,
)

CLOUD_KINDS = frozenset({"cloud", "model_hosting"})


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value or [] if isinstance(row, Mapping)][:MAX_ROWS]


def proposal_from_answers(
    base: dict[str, Any], values: Mapping[str, Any], *, lei_register: bool
) -> dict[str, Any]:
    """`base` (the register's facts, or the vendor's pending proposal) with what the answers
    state laid over it (pure). Facts the answers do not state keep their value; a malformed one
    (an LEI failing its check digits, a country that is not an ISO code) is left out rather
    than blocking the vendor's submission: the buyer still sees it in the answers."""
    data = copy.deepcopy(base)
    lei = _text(values.get("dora.lei"), 20).upper()
    if lei_register and lei and lei_problem(lei) is None:
        data["vendor"]["identifier"] = lei
    suppliers = _rows(values.get("supply.providers"))
    clouds = [
        _text(row.get("name"), 100)
        for row in suppliers
        if row.get("provides") in CLOUD_KINDS and _text(row.get("name"), 100)
    ]
    if clouds:
        current = data["vendor"].get("cloud_providers") or []
        if isinstance(current, str):
            current = [c.strip() for c in current.split(",") if c.strip()]
        known = {c.casefold() for c in current}
        data["vendor"]["cloud_providers"] = current + [
            c for c in dict.fromkeys(clouds) if c.casefold() not in known
        ]
    countries = [
        code
        for row in suppliers
        if (code := _text(row.get("country"), 2).upper())
        and len(_text(row.get("country"), 10)) == 2
        and country_problem(code) is None
    ]
    systems = [
        {
            "name": _text(row.get("name"), 200),
            "model_provider": _text(row.get("model_provider"), 200),
            "foundation_model": "",
        }
        for row in _rows(values.get("scope.ai_systems"))
        if _text(row.get("name"), 200)
    ]
    services = data.get("services") or []
    for service in services:
        if countries:
            service["processing_countries"] = list(
                dict.fromkeys([*service.get("processing_countries", []), *countries])
            )
    if systems and services:
        _place_systems(services, systems)
    return data


def _place_systems(services: list[dict[str, Any]], systems: list[dict[str, str]]) -> None:
    """A system already on an arrangement updates there (its foundation model kept); a new one
    joins the first arrangement, where the buyer can move it after accepting."""
    where = {
        row["name"].casefold(): service
        for service in services
        for row in service.get("ai_systems", [])
    }
    for system in systems:
        service = where.get(system["name"].casefold(), services[0])
        rows = service.setdefault("ai_systems", [])
        existing = next(
            (r for r in rows if r["name"].casefold() == system["name"].casefold()), None
        )
        if existing is None:
            rows.append(system)
        elif system["model_provider"]:
            existing["model_provider"] = system["model_provider"]


def propose_from_answers(
    *,
    session: Session,
    actor: User | None,
    assessment: Assessment,
    values: Mapping[str, Any],
    ip: str | None = None,
) -> ProviderProfileChange | None:
    """Record what the answers state as the vendor's pending profile change, when it changes
    the register; None when there is nothing new or the register's rules refuse it (the
    refusal is audited, the submission goes on)."""
    vendor = session.get(Vendor, assessment.vendor_id)
    if vendor is None:
        return None
    current = register_snapshot(session=session, vendor=vendor)
    change = pending_change(session=session, vendor_id=vendor.id or 0)
    base = change.data if change is not None else current
    proposed = proposal_from_answers(
        base, values, lei_register=vendor.identifier_type == IdentifierType.LEI
    )
    if not profile_diff(current, proposed) and change is None:
        return None
    try:
        checked = check_proposal(
            vendor=vendor, contracts=contracts_of(session=session, vendor=vendor), data=proposed
        )
    except FieldErrors as exc:
        record(
            session=session,
            action="vendor.profile_from_answers_refused",
            actor=actor,
            organisation_id=vendor.organisation_id,
            object_type="vendor",
            object_id=vendor.id,
            data={"assessment_id": assessment.id, "problems": exc.errors},
            ip=ip,
        )
        return None
    if change is None:
        change = ProviderProfileChange(vendor_id=vendor.id or 0, data=checked.data)
    else:
        change.data = checked.data
    change.submitted_by_id = actor.id if actor is not None else change.submitted_by_id
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
            "source": "answers",
            "assessment_id": assessment.id,
            "fields": len(profile_diff(current, checked.data)),
        },
        ip=ip,
    )
    return change
