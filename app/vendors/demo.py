"""Demo step for the vendor register: review dates, supply chains, an overarching arrangement.

Get-or-create on natural keys, so `assay demo` stays idempotent.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.config import Settings
from app.models import (
    AISystem,
    Contract,
    Organisation,
    Provider,
    Subcontractor,
    Vendor,
    VendorContact,
)
from app.vendors.identifiers import lei_with_check_digits

# Cloud hosts behind the demo vendors' services (rank 2 of their supply chain).
HOSTS = {
    "Azure": ("Microsoft Ireland Operations Ltd", "635400DEMOMSFTIREL", "IE"),
    "AWS": ("Amazon Web Services EMEA SARL", "635400DEMOAWSEMEAS", "LU"),
    "Google Cloud": ("Google Cloud EMEA Ltd", "635400DEMOGOOGLECE", "IE"),
    "OVHcloud": ("OVH SAS", "969500DEMOOVHSASFR", "FR"),
}
MODEL_LAB = ("OpenAI Ireland Ltd", "635400DEMOOPENAIIE", "IE")
# The model providers the AI register records, with the entity that contracts in the EU: they
# underpin the services built on their models, so they are in those services' supply chains.
MODEL_PROVIDERS = {
    "OpenAI": MODEL_LAB,
    "Anthropic": ("Anthropic Ireland Ltd", "635400DEMOANTHROPI", "IE"),
    "Mistral AI": ("Mistral AI SAS", "969500DEMOMISTRALA", "FR"),
}


def load(session: Session, org: Organisation, settings: Settings) -> None:
    today = date.today()
    vendors = list(
        session.exec(
            select(Vendor)
            .where(Vendor.organisation_id == org.id, ~Vendor.legal_name.startswith("Generated "))
            .order_by(Vendor.id)
        )
    )
    for index, vendor in enumerate(vendors):
        if vendor.next_review_date is None:
            # A few reviews are overdue so the list's "Review overdue" filter has something to show.
            offset = -20 - index if index % 4 == 1 else 30 * (index + 1)
            vendor.next_review_date = today + timedelta(days=offset)
            session.add(vendor)
        if not session.exec(
            select(VendorContact).where(VendorContact.vendor_id == vendor.id)
        ).first():
            domain = vendor.website.removeprefix("https://") if vendor.website else "vendor.example"
            session.add(
                VendorContact(
                    vendor_id=vendor.id,
                    name="Vendor risk desk",
                    email=f"risk@{domain}",
                    title="Third-party risk contact",
                    is_primary=True,
                )
            )
        contracts = session.exec(select(Contract).where(Contract.vendor_id == vendor.id)).all()
        for contract in contracts:
            links = [HOSTS[p] for p in vendor.cloud_providers if p in HOSTS]
            for name, prefix, country in links:
                _subcontractor(session, contract, vendor, 2, name, prefix, country)
            if vendor.ai_role in ("provider", "both") and links and index % 3 == 1:
                host_lei = lei_with_check_digits(links[0][1])
                _subcontractor(session, contract, vendor, 3, *MODEL_LAB, recipient=host_lei)
            for provider in session.exec(
                select(Provider)
                .join(AISystem, col(AISystem.model_provider_id) == col(Provider.id))
                .where(AISystem.contract_id == contract.id)
            ).all():
                entity = MODEL_PROVIDERS.get(provider.name)
                if entity is None:
                    continue
                if provider.lei is None:
                    provider.lei = lei_with_check_digits(entity[1])
                    provider.country = provider.country or entity[2]
                    session.add(provider)
                _subcontractor(session, contract, vendor, 2, *entity)
    _overarching_pair(session, org, vendors)
    session.flush()


def _subcontractor(
    session: Session,
    contract: Contract,
    vendor: Vendor,
    rank: int,
    name: str,
    prefix: str,
    country: str,
    recipient: str | None = None,
) -> None:
    identifier = lei_with_check_digits(prefix)
    exists = session.exec(
        select(Subcontractor).where(
            Subcontractor.contract_id == contract.id, Subcontractor.identifier == identifier
        )
    ).first()
    if exists is None:
        session.add(
            Subcontractor(
                contract_id=contract.id,
                rank=rank,
                name=name,
                identifier=identifier,
                country=country,
                service_type="S17" if rank == 2 else "S19",
                what="Foundation model inference"
                if name in {e[0] for e in MODEL_PROVIDERS.values()}
                else "Hosting of the service",
                recipient_identifier=recipient or vendor.identifier,
            )
        )


def _overarching_pair(session: Session, org: Organisation, vendors: list[Vendor]) -> None:
    """The first vendor's arrangement becomes a framework agreement with one call-off under it."""
    if not vendors:
        return
    first = vendors[0]
    framework = session.exec(
        select(Contract).where(Contract.vendor_id == first.id).order_by(Contract.id)
    ).first()
    if framework is None:
        return
    if framework.arrangement_type == "standalone":
        framework.arrangement_type = "overarching"
        session.add(framework)
    reference = f"{framework.reference}-SOW1"
    if session.exec(
        select(Contract).where(Contract.organisation_id == org.id, Contract.reference == reference)
    ).first():
        return
    session.add(
        Contract(
            organisation_id=org.id,
            vendor_id=first.id,
            function_id=framework.function_id,
            reference=reference,
            arrangement_type="subsequent",
            overarching_reference=framework.reference,
            ict_service_type="S14",
            description="Operations and maintenance call-off under the framework agreement",
            supports_critical_function=framework.supports_critical_function,
            start_date=framework.start_date,
            end_date=framework.end_date,
            notice_days_entity=60,
            notice_days_provider=120,
            governing_law_country=framework.governing_law_country,
            service_country=framework.service_country,
            stores_data=False,
            reliance="x795",
            annual_cost=framework.annual_cost,
            currency=framework.currency,
            exit_plan=framework.exit_plan,
            audit_rights=True,
            # The bank's own assessment of the call-off, as of its framework (B_07.01).
            substitutability=framework.substitutability,
            substitutability_reason=framework.substitutability_reason,
            reintegration=framework.reintegration,
            discontinuation_impact=framework.discontinuation_impact,
        )
    )
