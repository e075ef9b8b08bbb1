"""AI supply-chain concentration (DORA Art. 29): which model and cloud providers sit behind
which vendors and critical functions, across the portfolio.

Providers are counted as records (`Provider`), so "Azure" and "Microsoft Azure" count once when
the buyer has linked the two spellings, and again by ultimate parent, so two providers of one
group show as one dependency. A name with no record yet counts by its spelling."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import AISystem, BusinessFunction, Contract, Provider, Vendor, VendorStatus
from app.scoring.adapter import provider_key, provider_name
from app.vendors.providers import providers_by_key


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
    provider: Provider | None = None  # the record behind the name, when there is one

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
    records = providers_by_key(session=session, organisation_id=organisation_id)

    by_id = {p.id: p for p in records.values()}

    def add(
        kind: str, raw: str | None, vendor_id: int, system: str | None, linked: int | None = None
    ) -> None:
        name = provider_name(raw)
        if name is None or vendor_id not in vendors:
            return
        record = by_id.get(linked) or records.get(provider_key(name))
        key = (kind, f"#{record.id}" if record is not None else provider_key(name))
        groups.setdefault(key, ProviderGroup(kind, record.name if record else name, [], record))
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
    for vendor_id, system, provider, provider_id in session.exec(
        select(
            AISystem.vendor_id, AISystem.name, AISystem.model_provider, AISystem.model_provider_id
        )
        .join(Vendor, col(Vendor.id) == col(AISystem.vendor_id))
        .where(Vendor.organisation_id == organisation_id)
        .order_by(col(AISystem.name))
    ).all():
        add("model", provider, vendor_id, system, provider_id)
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


@dataclass
class ParentGroup:
    """Providers that roll up to one ultimate parent, with every vendor behind any of them."""

    name: str
    lei: str | None
    providers: list[str]
    vendors: list[str]
    critical_vendors: int


def _parent_of(group: ProviderGroup) -> tuple[str, str, str | None]:
    provider = group.provider
    if provider is not None and (provider.parent_lei or provider.parent_name):
        name = provider.parent_name or provider.parent_lei or ""
        return (provider.parent_lei or name.casefold(), name, provider.parent_lei)
    if provider is not None and provider.lei:
        return (provider.lei, provider.name, provider.lei)
    return (group.name.casefold(), group.name, None)


def by_ultimate_parent(groups: list[ProviderGroup]) -> list[ParentGroup]:
    """The provider groups rolled up by ultimate parent (matched on LEI where recorded, else on
    name); only parents behind more than one provider, most vendors first (pure)."""
    parents: dict[str, tuple[str, str | None, set[str], dict[int, ConcentrationVendor]]] = {}
    for group in groups:
        key, name, lei = _parent_of(group)
        entry = parents.setdefault(key, (name, lei, set(), {}))
        entry[2].add(group.name)
        for vendor in group.vendors:
            entry[3][vendor.vendor_id] = vendor
    rolled = [
        ParentGroup(
            name,
            lei,
            sorted(providers),
            sorted(v.name for v in vendors.values()),
            sum(1 for v in vendors.values() if v.critical_functions),
        )
        for name, lei, providers, vendors in parents.values()
        if len(providers) > 1
    ]
    return sorted(rolled, key=lambda p: (-len(p.vendors), -p.critical_vendors, p.name.lower()))
