"""Model and cloud providers as records: each spelling met in the register resolves, through its
name variant, to one provider with its LEI and ultimate parent (DORA Art. 29 concentration)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.audit.service import record
from app.errors import NotFound
from app.forms import FieldErrors
from app.models import AISystem, Contract, Provider, ProviderName, Subcontractor, User, Vendor
from app.scoring.adapter import provider_key, provider_name
from app.vendors.identifiers import lei_problem
from app.vendors.schemas import ProviderInput


def name_key(name: str | None) -> str | None:
    """The folded spelling a variant is filed under; None for blanks and the vendor's own."""
    clean = provider_name(name)
    return None if clean is None else provider_key(clean)[:300]


def resolve(
    *,
    session: Session,
    organisation_id: int,
    name: str | None,
    lei: str | None = None,
    lei_from: Vendor | None = None,
    actor: User | None = None,
    ip: str | None = None,
) -> Provider | None:
    """The provider record behind a spelling: the one the spelling is linked to, else the one
    with the LEI the register gives for it (the spelling is then linked to it), else one by
    that name, created when the register meets the name for the first time. A record without
    an LEI takes the one given, taken from `lei_from`'s supply chain, on the audit trail as done
    by `actor`."""
    key = name_key(name)
    if key is None or name is None:
        return None
    found = session.exec(
        select(Provider)
        .join(ProviderName, col(ProviderName.provider_id) == col(Provider.id))
        .where(ProviderName.organisation_id == organisation_id, ProviderName.key == key)
    ).first()
    taking = {"lei": lei, "lei_from": lei_from, "actor": actor, "ip": ip}
    if found is not None:
        return _with_lei(session, found, **taking)
    clean = (provider_name(name) or name)[:300]
    provider = None
    if lei:
        provider = session.exec(
            select(Provider)
            .where(Provider.organisation_id == organisation_id, Provider.lei == lei)
            .order_by(col(Provider.id))
        ).first()
    if provider is None:
        provider = session.exec(
            select(Provider).where(
                Provider.organisation_id == organisation_id, Provider.name == clean
            )
        ).first()
    if provider is None:
        provider = Provider(organisation_id=organisation_id, name=clean)
        session.add(provider)
        session.flush()
    session.add(
        ProviderName(organisation_id=organisation_id, provider_id=provider.id, key=key, name=clean)
    )
    session.flush()
    return _with_lei(session, provider, **taking)


def _with_lei(
    session: Session,
    provider: Provider,
    *,
    lei: str | None,
    lei_from: Vendor | None,
    actor: User | None,
    ip: str | None,
) -> Provider:
    """Write the LEI on a record that has none; a record's identity changing is audited."""
    if not lei or provider.lei:
        return provider
    provider.lei = lei
    session.add(provider)
    session.flush()
    record(
        session=session,
        action="provider.lei_taken",
        actor=actor,
        organisation_id=provider.organisation_id,
        object_type="provider",
        object_id=provider.id,
        data={
            "provider": provider.name,
            "lei": lei,
            **(
                {"source": "supply_chain", "vendor_id": lei_from.id, "vendor": lei_from.legal_name}
                if lei_from is not None
                else {}
            ),
        },
        ip=ip,
    )
    return provider


def supply_chain_leis(*, session: Session, vendor: Vendor) -> dict[str, str]:
    """The LEI of each firm in the vendor's ICT supply chain, by folded name: a cloud or model
    provider that is also a subcontractor resolves by it (one query)."""
    leis: dict[str, str] = {}
    for name, identifier in session.exec(
        select(Subcontractor.name, Subcontractor.identifier)
        .join(Contract, col(Contract.id) == col(Subcontractor.contract_id))
        .where(Contract.vendor_id == vendor.id, Subcontractor.identifier_type == "LEI")
    ).all():
        key = name_key(name)
        lei = (identifier or "").strip().upper()
        if key is not None and lei and lei_problem(lei) is None:
            leis.setdefault(key, lei)
    return leis


def providers_by_key(*, session: Session, organisation_id: int) -> dict[str, Provider]:
    """Every known spelling's provider, by folded name (one query)."""
    return {
        key: provider
        for key, provider in session.exec(
            select(ProviderName.key, Provider)
            .join(Provider, col(Provider.id) == col(ProviderName.provider_id))
            .where(ProviderName.organisation_id == organisation_id)
        ).all()
    }


def list_providers(*, session: Session, organisation_id: int) -> list[tuple[Provider, list[str]]]:
    """Every provider with the spellings linked to it, by name."""
    providers = session.exec(
        select(Provider)
        .where(Provider.organisation_id == organisation_id)
        .order_by(col(Provider.name))
    ).all()
    names: dict[int, list[str]] = {}
    for provider_id, name in session.exec(
        select(ProviderName.provider_id, ProviderName.name)
        .where(ProviderName.organisation_id == organisation_id)
        .order_by(col(ProviderName.name))
    ).all():
        names.setdefault(provider_id, []).append(name)
    return [(p, names.get(p.id or 0, [])) for p in providers]


def get_provider(*, session: Session, organisation_id: int, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None or provider.organisation_id != organisation_id:
        raise NotFound("No such provider.")
    return provider


def update_provider(
    *, session: Session, actor: User, provider: Provider, data: ProviderInput, ip: str | None = None
) -> Provider:
    """The provider's LEI, ultimate parent and country, as the buyer records them."""
    clash = session.exec(
        select(Provider.id).where(
            Provider.organisation_id == provider.organisation_id,
            Provider.name == data.name,
            Provider.id != provider.id,
        )
    ).first()
    if clash is not None:
        raise FieldErrors(
            {"name": "Another provider has this name: link the two spellings instead."}
        )
    before = {k: getattr(provider, k) for k in ProviderInput.model_fields}
    after = data.model_dump()
    for name, value in after.items():
        setattr(provider, name, value)
    session.add(provider)
    session.flush()
    record(
        session=session,
        action="provider.updated",
        actor=actor,
        organisation_id=provider.organisation_id,
        object_type="provider",
        object_id=provider.id,
        data={
            "changes": {k: {"from": before[k], "to": v} for k, v in after.items() if before[k] != v}
        },
        ip=ip,
    )
    return provider


def link_variant(
    *, session: Session, actor: User, variant: Provider, into: Provider, ip: str | None = None
) -> Provider:
    """Treat `variant` as another spelling of `into`: its spellings and AI systems move across
    and the emptied record goes. Concentration then counts the two as one provider."""
    if variant.id == into.id:
        return into
    if variant.organisation_id != into.organisation_id:
        raise NotFound("No such provider.")
    moved = []
    for name in session.exec(
        select(ProviderName).where(ProviderName.provider_id == variant.id)
    ).all():
        name.provider_id = into.id or 0
        moved.append(name.name)
        session.add(name)
    for system in session.exec(
        select(AISystem).where(AISystem.model_provider_id == variant.id)
    ).all():
        system.model_provider_id = into.id
        session.add(system)
    session.flush()
    record(
        session=session,
        action="provider.linked",
        actor=actor,
        organisation_id=into.organisation_id,
        object_type="provider",
        object_id=into.id,
        data={"merged": variant.name, "names": moved},
        ip=ip,
    )
    session.delete(variant)
    session.flush()
    return into


def vendor_clouds(
    *, session: Session, actor: User, vendor: Vendor, ip: str | None = None
) -> list[Provider]:
    """The provider records behind the vendor's cloud providers (creating any new spelling),
    by the LEI its supply chain gives where there is one (a record taking it is audited as
    `actor`'s doing)."""
    names = vendor.cloud_providers or ()
    leis = supply_chain_leis(session=session, vendor=vendor) if names else {}
    found = [
        resolve(
            session=session,
            organisation_id=vendor.organisation_id,
            name=name,
            lei=leis.get(name_key(name) or ""),
            lei_from=vendor,
            actor=actor,
            ip=ip,
        )
        for name in names
    ]
    return [p for p in found if p is not None]
