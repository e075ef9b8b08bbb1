"""AI supply-chain concentration (DORA Art. 29): which model and cloud providers sit behind
which vendors and critical functions, across the portfolio."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import AISystem, BusinessFunction, Contract, Vendor, VendorStatus
from app.scoring.adapter import provider_key, provider_name


@dataclass
class ConcentrationVendor:
    vendor_id: int
    name: str
    tier: str | None
    critical_functions: list[str]
    systems: list[str]  # the AI systems built on this provider ([] for cloud)


@dataclass
class ProviderGroup:
    kind: str  # "model" | "cloud"
    name: str
    vendors: list[ConcentrationVendor]

    @property
    def shared(self) -> bool:
        return len(self.vendors) > 1

    @property
    def critical_functions(self) -> list[str]:
        return sorted({f for v in self.vendors for f in v.critical_functions})

    @property
    def critical_vendors(self) -> int:
        return sum(1 for v in self.vendors if v.critical_functions)


def concentration(
    *, session: Session, organisation_id: int, kind: str | None = None, shared_only: bool = False
) -> list[ProviderGroup]:
    """Which model and cloud providers sit behind which vendors and critical functions, across
    the portfolio; most shared first. Three queries for the whole portfolio. `kind` ("model" or
    "cloud") keeps one kind of provider, `shared_only` those behind several vendors."""
    vendors = {
        vid: (name, tier, clouds, critical)
        for vid, name, tier, clouds, critical in session.exec(
            select(
                Vendor.id,
                Vendor.legal_name,
                Vendor.tier,
                Vendor.cloud_providers,
                Vendor.supports_critical_function,
            ).where(
                Vendor.organisation_id == organisation_id,
                Vendor.status != VendorStatus.offboarded,
            )
        ).all()
    }
    functions: dict[int, set[str]] = defaultdict(set)
    for vendor_id, code, name, critical in session.exec(
        select(
            Contract.vendor_id,
            BusinessFunction.code,
            BusinessFunction.name,
            BusinessFunction.critical,
        )
        .join(BusinessFunction, col(BusinessFunction.id) == col(Contract.function_id))
        .where(Contract.organisation_id == organisation_id)
    ).all():
        if critical == "yes":
            functions[vendor_id].add(f"{code} {name}")
    groups: dict[tuple[str, str], ProviderGroup] = {}
    members: dict[tuple[str, str], dict[int, ConcentrationVendor]] = defaultdict(dict)

    def add(kind: str, raw: str | None, vendor_id: int, system: str | None) -> None:
        name = provider_name(raw)
        if name is None or vendor_id not in vendors:
            return
        key = (kind, provider_key(name))
        groups.setdefault(key, ProviderGroup(kind, name, []))
        entry = members[key].get(vendor_id)
        if entry is None:
            vname, tier, _, _ = vendors[vendor_id]
            entry = ConcentrationVendor(
                vendor_id, vname, tier, sorted(functions.get(vendor_id, ())), []
            )
            members[key][vendor_id] = entry
        if system:
            entry.systems.append(system)

    for vendor_id, (_, _, clouds, _) in vendors.items():
        for cloud in clouds or ():
            add("cloud", cloud, vendor_id, None)
    for vendor_id, system, provider in session.exec(
        select(AISystem.vendor_id, AISystem.name, AISystem.model_provider)
        .join(Vendor, col(Vendor.id) == col(AISystem.vendor_id))
        .where(Vendor.organisation_id == organisation_id)
        .order_by(col(AISystem.name))
    ).all():
        add("model", provider, vendor_id, system)
    for key, group in groups.items():
        group.vendors = sorted(members[key].values(), key=lambda v: v.name.lower())
    kept = [
        g
        for g in groups.values()
        if (kind not in ("model", "cloud") or g.kind == kind) and (g.shared or not shared_only)
    ]
    return sorted(
        kept, key=lambda g: (-len(g.vendors), -g.critical_vendors, g.kind, g.name.lower())
    )
