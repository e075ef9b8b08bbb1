"""The vendor's own register data: typed in the portal, accepted into the register by the buyer.

What a vendor saves becomes a pending `ProviderProfileChange`; nothing reaches the Vendor,
Contract, Subcontractor or AISystem rows until a buyer accepts it field by field from a diff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import Conflict, InvalidInput, NotFound
from app.models import (
    AISystem,
    Contract,
    ProfileChangeStatus,
    ProviderProfileChange,
    Subcontractor,
    Substitutability,
    User,
    Vendor,
    utcnow,
)
from app.vendors.identifiers import country_problem, lei_problem

VENDOR_FIELDS = {
    "legal_name": "Legal name",
    "identifier": "Identifier (LEI)",
    "parent_name": "Ultimate parent",
    "parent_identifier": "Ultimate parent LEI",
    "hq_country": "Headquarters country",
    "substitutability": "Substitutability",
    "reintegration": "Reintegration or transfer on exit",
}
SERVICE_FIELDS = {
    "processing_countries": "Countries where data is processed",
    "storage_countries": "Countries where data is stored",
    "alternatives": "Exit support and alternative providers",
}
SUB_FIELDS = ("rank", "name", "identifier", "country", "what")
AI_FIELDS = ("name", "model_provider", "foundation_model")
REINTEGRATION = ("easy", "difficult", "highly_complex")
MAX_ROWS = 50


# --- the register as the vendor may see and propose it --------------------------------------------


def contracts_of(session: Session, vendor: Vendor) -> list[Contract]:
    return list(
        session.exec(
            select(Contract).where(Contract.vendor_id == vendor.id).order_by(col(Contract.id))
        ).all()
    )


def register_snapshot(*, session: Session, vendor: Vendor) -> dict[str, Any]:
    """The register's current facts in the shape of a profile change."""
    services = []
    for contract in contracts_of(session, vendor):
        subs = session.exec(
            select(Subcontractor)
            .where(Subcontractor.contract_id == contract.id)
            .order_by(col(Subcontractor.rank), col(Subcontractor.id))
        ).all()
        systems = session.exec(
            select(AISystem)
            .where(AISystem.vendor_id == vendor.id, AISystem.contract_id == contract.id)
            .order_by(col(AISystem.id))
        ).all()
        services.append(
            {
                "contract_id": contract.id,
                "reference": contract.reference,
                "description": contract.description or contract.ict_service_type,
                "processing_countries": list(contract.processing_countries or []),
                "storage_countries": list(contract.storage_countries or []),
                "alternatives": contract.alternatives or "",
                "subcontractors": [
                    {
                        "rank": s.rank,
                        "name": s.name,
                        "identifier": s.identifier,
                        "country": s.country or "",
                        "what": s.what or "",
                    }
                    for s in subs
                ],
                "ai_systems": [
                    {
                        "name": a.name,
                        "model_provider": a.model_provider or "",
                        "foundation_model": a.foundation_model or "",
                    }
                    for a in systems
                ],
            }
        )
    return {
        "vendor": {
            "legal_name": vendor.legal_name,
            "identifier": vendor.identifier,
            "parent_name": vendor.parent_name or "",
            "parent_identifier": vendor.parent_identifier or "",
            "hq_country": vendor.hq_country,
            "substitutability": str(vendor.substitutability),
            "reintegration": vendor.reintegration or "",
        },
        "services": services,
    }


def pending_change(*, session: Session, vendor_id: int) -> ProviderProfileChange | None:
    return session.exec(
        select(ProviderProfileChange)
        .where(
            ProviderProfileChange.vendor_id == vendor_id,
            ProviderProfileChange.status == ProfileChangeStatus.pending,
        )
        .order_by(col(ProviderProfileChange.id).desc())
    ).first()


# --- reading the vendor's form --------------------------------------------------------------------


def _countries(raw: str, label: str, problems: list[str]) -> list[str]:
    codes = [c.strip().upper() for c in raw.replace(";", ",").split(",") if c.strip()]
    for code in codes:
        if country_problem(code):
            problems.append(f"{label}: {country_problem(code)}")
    return list(dict.fromkeys(codes))


def _rows(form: Mapping[str, Any], prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
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
    form: Mapping[str, Any], *, vendor: Vendor, contracts: list[Contract]
) -> dict[str, Any]:
    """The proposed profile, or InvalidInput listing every problem (LEIs by check digits)."""
    problems: list[str] = []
    data: dict[str, Any] = {"vendor": {}, "services": []}
    for name in VENDOR_FIELDS:
        data["vendor"][name] = str(form.get(name, "")).strip()
    v = data["vendor"]
    if not v["legal_name"]:
        problems.append("Enter the legal name.")
    v["identifier"] = v["identifier"].upper()
    if vendor.identifier_type == "LEI" and lei_problem(v["identifier"]):
        problems.append(f"LEI: {lei_problem(v['identifier'])}")
    v["parent_identifier"] = v["parent_identifier"].upper()
    if v["parent_identifier"] and lei_problem(v["parent_identifier"]):
        problems.append(f"Ultimate parent LEI: {lei_problem(v['parent_identifier'])}")
    v["hq_country"] = v["hq_country"].upper()
    if country_problem(v["hq_country"]):
        problems.append(f"Headquarters country: {country_problem(v['hq_country'])}")
    if v["substitutability"] not in {s.value for s in Substitutability}:
        problems.append("Choose how substitutable the service is.")
    if v["reintegration"] and v["reintegration"] not in REINTEGRATION:
        problems.append("Choose how the service can be brought back in or transferred.")
    for contract in contracts:
        prefix = f"svc-{contract.id}-"
        label = contract.description or contract.reference
        service: dict[str, Any] = {
            "contract_id": contract.id,
            "reference": contract.reference,
            "description": contract.description or contract.ict_service_type,
            "processing_countries": _countries(
                str(form.get(prefix + "processing_countries", "")),
                f"{label}, processing countries",
                problems,
            ),
            "storage_countries": _countries(
                str(form.get(prefix + "storage_countries", "")),
                f"{label}, storage countries",
                problems,
            ),
            "alternatives": str(form.get(prefix + "alternatives", "")).strip()[:500],
            "subcontractors": [],
            "ai_systems": _rows(form, prefix + "ai-", AI_FIELDS),
        }
        for number, sub in enumerate(_rows(form, prefix + "sub-", SUB_FIELDS), start=1):
            where = f"{label}, subcontractor {number}"
            try:
                rank = int(sub["rank"] or 2)
                if rank < 2:
                    raise ValueError
            except ValueError:
                problems.append(f"{where}: the rank is 2 or more (you are rank 1).")
                rank = 2
            if not sub["name"]:
                problems.append(f"{where}: enter its name.")
            sub["identifier"] = sub["identifier"].upper()
            if lei_problem(sub["identifier"]):
                problems.append(f"{where}: LEI: {lei_problem(sub['identifier'])}")
            sub["country"] = sub["country"].upper()
            if sub["country"] and country_problem(sub["country"]):
                problems.append(f"{where}: {country_problem(sub['country'])}")
            service["subcontractors"].append({**sub, "rank": rank})
        for number, system in enumerate(service["ai_systems"], start=1):
            if not system["name"]:
                problems.append(f"{label}, AI model {number}: enter the system's name.")
        data["services"].append(service)
    _check_lengths(data, problems)
    if problems:
        raise InvalidInput("Some register facts need correcting.", details=problems)
    return data


def _max_length(model: type, name: str) -> int | None:
    return next(
        (m.max_length for m in model.model_fields[name].metadata if hasattr(m, "max_length")),
        None,
    )


def _check_lengths(data: dict[str, Any], problems: list[str]) -> None:
    """The columns' limits, checked here: accepting an over-long fact later would fail on
    PostgreSQL (and SQLite would keep more than the register allows)."""
    labelled: list[tuple[str, type, dict[str, Any]]] = [("", Vendor, data["vendor"])]
    for service in data["services"]:
        label = service["description"] or service["reference"]
        labelled += [
            (f"{label}, subcontractor: ", Subcontractor, s) for s in service["subcontractors"]
        ]
        labelled += [(f"{label}, AI model: ", AISystem, a) for a in service["ai_systems"]]
    for where, model, values in labelled:
        for name, value in values.items():
            limit = _max_length(model, name) if name in model.model_fields else None
            if limit is not None and isinstance(value, str) and len(value) > limit:
                field = VENDOR_FIELDS.get(name, name.replace("_", " ")) if model is Vendor else name
                problems.append(f"{where}{field}: at most {limit:,} characters.")


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
        session,
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


# --- the buyer's view: a diff, accept or reject ---------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    area: str
    field: str
    current: str
    proposed: str


def _show(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "\n".join(
                " · ".join(str(v) for v in row.values() if v not in ("", None)) for row in value
            )
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def profile_diff(current: dict[str, Any], proposed: dict[str, Any]) -> list[DiffRow]:
    """Every field whose proposed value differs from the register (pure)."""
    rows = []
    for name, label in VENDOR_FIELDS.items():
        before = current["vendor"].get(name, "")
        after = proposed.get("vendor", {}).get(name, "")
        if (before or "") != (after or ""):
            rows.append(DiffRow("Provider", label, _show(before), _show(after)))
    services = {s["contract_id"]: s for s in current["services"]}
    for service in proposed.get("services", []):
        existing = services.get(service["contract_id"])
        if existing is None:
            continue
        area = f"Service {existing['reference']}"
        for name, label in SERVICE_FIELDS.items():
            if existing.get(name) != service.get(name):
                rows.append(
                    DiffRow(area, label, _show(existing.get(name)), _show(service.get(name)))
                )
        if existing["subcontractors"] != service.get("subcontractors", []):
            rows.append(
                DiffRow(
                    area,
                    "Subcontracting chain",
                    _show(existing["subcontractors"]),
                    _show(service.get("subcontractors", [])),
                )
            )
        if existing["ai_systems"] != service.get("ai_systems", []):
            rows.append(
                DiffRow(
                    area,
                    "AI systems and model providers",
                    _show(existing["ai_systems"]),
                    _show(service.get("ai_systems", [])),
                )
            )
    return rows


def profile_changes(*, session: Session, vendor: Vendor) -> list[ProviderProfileChange]:
    return list(
        session.exec(
            select(ProviderProfileChange)
            .where(ProviderProfileChange.vendor_id == vendor.id)
            .order_by(col(ProviderProfileChange.id).desc())
        ).all()
    )


def _decide(
    session: Session,
    change: ProviderProfileChange,
    status: ProfileChangeStatus,
    actor: User,
    note: str | None,
) -> None:
    """Compare-and-set on the status, so two reviewers cannot both decide one change."""
    result = session.execute(
        update(ProviderProfileChange)
        .where(
            ProviderProfileChange.id == change.id,
            ProviderProfileChange.status == ProfileChangeStatus.pending,
        )
        .values(status=status, reviewed_by_id=actor.id, reviewed_at=utcnow(), review_note=note)
    )
    if result.rowcount != 1:
        raise Conflict("This change was already decided; reload the page.")
    session.refresh(change)


def get_change(*, session: Session, vendor: Vendor, change_id: int) -> ProviderProfileChange:
    change = session.get(ProviderProfileChange, change_id)
    if change is None or change.vendor_id != vendor.id:
        raise NotFound("No such profile change.")
    return change


def accept_change(
    *,
    session: Session,
    actor: User,
    vendor: Vendor,
    change: ProviderProfileChange,
    ip: str | None = None,
) -> list[DiffRow]:
    """Apply the vendor's facts to the register rows; audited with the diff that was accepted."""
    diff = profile_diff(register_snapshot(session=session, vendor=vendor), change.data)
    _decide(session, change, ProfileChangeStatus.accepted, actor, None)
    data = change.data
    v = data.get("vendor", {})
    vendor.legal_name = v.get("legal_name") or vendor.legal_name
    vendor.identifier = v.get("identifier") or vendor.identifier
    vendor.parent_name = v.get("parent_name") or None
    vendor.parent_identifier = v.get("parent_identifier") or None
    if vendor.parent_identifier:
        vendor.parent_identifier_type = "LEI"
    vendor.hq_country = v.get("hq_country") or vendor.hq_country
    vendor.substitutability = v.get("substitutability") or vendor.substitutability
    vendor.reintegration = v.get("reintegration") or None
    vendor.version += 1
    session.add(vendor)
    contracts = {c.id: c for c in contracts_of(session, vendor)}
    for service in data.get("services", []):
        contract = contracts.get(service.get("contract_id"))
        if contract is None:
            continue
        contract.processing_countries = list(service.get("processing_countries", []))
        contract.storage_countries = list(service.get("storage_countries", []))
        contract.alternatives = service.get("alternatives") or None
        session.add(contract)
        for old in session.exec(
            select(Subcontractor).where(Subcontractor.contract_id == contract.id)
        ).all():
            session.delete(old)
        for sub in service.get("subcontractors", []):
            session.add(
                Subcontractor(
                    contract_id=contract.id,
                    rank=int(sub["rank"]),
                    name=sub["name"],
                    identifier=sub["identifier"],
                    identifier_type="LEI",
                    country=sub.get("country") or None,
                    what=sub.get("what") or None,
                )
            )
        systems = {
            a.name: a
            for a in session.exec(
                select(AISystem).where(
                    AISystem.vendor_id == vendor.id, AISystem.contract_id == contract.id
                )
            ).all()
        }
        for proposed in service.get("ai_systems", []):
            system = systems.get(proposed["name"]) or AISystem(
                vendor_id=vendor.id, contract_id=contract.id, name=proposed["name"]
            )
            system.model_provider = proposed.get("model_provider") or None
            system.foundation_model = proposed.get("foundation_model") or None
            session.add(system)
    session.flush()
    record(
        session,
        action="vendor.profile_accepted",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={
            "change_id": change.id,
            "changes": [
                {"area": d.area, "field": d.field, "from": d.current, "to": d.proposed}
                for d in diff
            ],
        },
        ip=ip,
    )
    return diff


def reject_change(
    *,
    session: Session,
    actor: User,
    vendor: Vendor,
    change: ProviderProfileChange,
    note: str | None,
    ip: str | None = None,
) -> None:
    _decide(
        session, change, ProfileChangeStatus.rejected, actor, (note or "").strip()[:1000] or None
    )
    record(
        session,
        action="vendor.profile_rejected",
        actor=actor,
        organisation_id=vendor.organisation_id,
        object_type="vendor",
        object_id=vendor.id,
        data={"change_id": change.id, "note": change.review_note},
        ip=ip,
    )
