"""Registers of Information for the RoI tests: a clean one as plain facts (break it with
`dataclasses.replace`), and a small portfolio in the database built the way the product would."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from app.models import (
    Branch,
    BusinessFunction,
    Contract,
    GroupEntity,
    Organisation,
    Subcontractor,
    Vendor,
)
from app.register.roi.data import (
    BranchFacts,
    ContractFacts,
    EntityFacts,
    FunctionFacts,
    RegisterData,
    SubcontractorFacts,
    VendorFacts,
)
from app.register.roi.group import own_entity
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_org, make_vendor

ORG_LEI = lei_with_check_digits("529900ACMEBANK0000")
CLOUDY_LEI = lei_with_check_digits("5299000CLOUDYSE000")
SCORER_LEI = lei_with_check_digits("2138000SCORERLTD00")
HOST_LEI = lei_with_check_digits("635400HOSTINGEMEA0")
LAB_LEI = lei_with_check_digits("635400MODELLABIE00")
REF_DATE = date(2025, 12, 31)
REPORT_DATE = date(2026, 6, 30)


def clean_register() -> RegisterData:
    """A register with no problem at all: two vendors, three arrangements (one framework and
    one call-off under it), a two-link supply chain and two functions."""
    host = SubcontractorFacts(id=1, name="Hosting EMEA Ltd", identifier=HOST_LEI, country="IE")
    lab = SubcontractorFacts(
        id=2, name="Model Lab Ltd", identifier=LAB_LEI, rank=3, country="IE",
        recipient_identifier=HOST_LEI,
    )  # fmt: skip
    return RegisterData(
        entity=EntityFacts(
            id=1, name="Acme Bank AG", lei=ORG_LEI, country="DE", entity_type="x12",
            competent_authority="BaFin", total_assets=Decimal("1000000000"),
            integrated_on=date(2025, 1, 15),
        ),
        ref_date=REF_DATE,
        report_date=REPORT_DATE,
        functions=(
            FunctionFacts(
                id=1, code="F1", name="Payments", licensed_activity="x222", critical="yes",
                criticality_reasons="Stops payments to customers.", last_assessed=date(2025, 6, 1),
                rto_hours=4, rpo_hours=1, discontinuation_impact="high",
            ),
            FunctionFacts(
                id=2, code="F2", name="Marketing analytics", licensed_activity="x162",
                critical="no", last_assessed=date(2025, 6, 1), discontinuation_impact="low",
            ),
        ),
        vendors=(
            VendorFacts(
                id=1, legal_name="Cloudy SE", identifier=CLOUDY_LEI, hq_country="DE",
                annual_expense=Decimal("120000"), last_audit_date=date(2025, 9, 30),
            ),
            VendorFacts(
                id=2, legal_name="Scorer Ltd", identifier=SCORER_LEI, hq_country="IE",
                annual_expense=Decimal("30000"),
            ),
        ),
        contracts=(
            ContractFacts(
                id=1, vendor_id=1, reference="ACME-001", ict_service_type="S17",
                function_code="F1", supports_critical_function=True,
                start_date=date(2024, 1, 1), notice_days_entity=90, notice_days_provider=180,
                governing_law_country="DE", service_country="DE", stores_data=True,
                storage_countries=("DE", "IE"), processing_countries=("DE",),
                data_sensitivity="high", reliance="x796", annual_cost=Decimal("120000"),
                exit_plan=True, alternatives="Other EU IaaS providers",
                alternatives_identified="yes", substitutability="medium",
                reintegration="difficult", discontinuation_impact="high",
                subcontractors=(host, lab),
            ),
            ContractFacts(
                id=2, vendor_id=2, reference="ACME-002", arrangement_type="overarching",
                ict_service_type="S19", function_code="F2", start_date=date(2025, 2, 1),
                end_date=date(2027, 1, 31), annual_cost=Decimal("20000"),
                alternatives_identified="no", substitutability="easy", reintegration="easy",
                discontinuation_impact="low",
            ),
            ContractFacts(
                id=3, vendor_id=2, reference="ACME-002-A", arrangement_type="subsequent",
                overarching_reference="ACME-002", ict_service_type="S06", function_code="F2",
                start_date=date(2025, 3, 1), annual_cost=Decimal("10000"),
                substitutability="easy", reintegration="easy", discontinuation_impact="low",
            ),
        ),
    )  # fmt: skip


IT_LEI = lei_with_check_digits("529900ACMEITSERV00")


def group_register(level: str = "CON", entity_lei: str = ORG_LEI) -> RegisterData:
    """The clean register grown into a group: Acme Bank AG (ultimate parent) with a Paris
    branch and its intra-group ICT company Acme IT Services GmbH, which provides the bank's
    core banking operations (ACME-IG-01) on a hosting arrangement of its own (ACME-IT-01)."""
    base = clean_register()
    bank = replace(base.entity, hierarchy="x53")
    it = EntityFacts(
        id=2, name="Acme IT Services GmbH", lei=IT_LEI, country="DE", entity_type="x317",
        competent_authority=None, hierarchy="x56", parent_lei=ORG_LEI,
        integrated_on=date(2025, 1, 15),
    )  # fmt: skip
    entities = (bank, it)
    it_vendor = VendorFacts(
        id=3, legal_name="Acme IT Services GmbH", identifier=IT_LEI, hq_country="DE",
        annual_expense=Decimal("900000"), parent_name="Acme Bank AG", parent_identifier=ORG_LEI,
        parent_identifier_type="LEI",
    )  # fmt: skip
    # loaded from the database, an arrangement always names its users (the parent by default)
    existing = tuple(
        replace(c, users=(ORG_LEI,), branch_users=("FR-PAR",) if c.reference == "ACME-001" else ())
        for c in base.contracts
    )
    contracts = (
        *existing,
        ContractFacts(
            id=4, vendor_id=3, reference="ACME-IG-01", ict_service_type="S14",
            function_code="F1", supports_critical_function=True, start_date=date(2023, 1, 1),
            notice_days_entity=180, notice_days_provider=365, governing_law_country="DE",
            service_country="DE", stores_data=True, storage_countries=("DE",),
            processing_countries=("DE",), data_sensitivity="high", reliance="x797",
            annual_cost=Decimal("900000"), exit_plan=True, substitutability="highly_complex",
            substitutability_reason="x964", reintegration="highly_complex",
            discontinuation_impact="high", users=(ORG_LEI,), branch_users=("FR-PAR",),
            intra_group_lei=IT_LEI, linked_reference="ACME-IT-01",
        ),
        ContractFacts(
            id=5, vendor_id=1, reference="ACME-IT-01", ict_service_type="S17",
            function_code="F1", supports_critical_function=True, start_date=date(2023, 6, 1),
            notice_days_entity=90, notice_days_provider=180, governing_law_country="IE",
            service_country="IE", stores_data=True, storage_countries=("IE",),
            processing_countries=("IE",), data_sensitivity="high", reliance="x796",
            annual_cost=Decimal("300000"), exit_plan=True, substitutability="medium",
            reintegration="difficult", discontinuation_impact="high", users=(IT_LEI,),
            signer_lei=IT_LEI,
        ),
    )  # fmt: skip
    chosen = {e.lei: e for e in entities}[entity_lei]
    return replace(
        base,
        entity=chosen,
        entities=entities,
        branches=(BranchFacts(1, "FR-PAR", "Acme Bank AG, Paris branch", "FR", ORG_LEI),),
        vendors=(*base.vendors, it_vendor),
        contracts=contracts,
        level=level,
    )


def with_contract(data: RegisterData, reference: str, **changes) -> RegisterData:
    """The register with one arrangement changed."""
    contracts = tuple(
        replace(c, **changes) if c.reference == reference else c for c in data.contracts
    )
    return replace(data, contracts=contracts)


def with_vendor(data: RegisterData, vendor_id: int, **changes) -> RegisterData:
    vendors = tuple(replace(v, **changes) if v.id == vendor_id else v for v in data.vendors)
    return replace(data, vendors=vendors)


# --- the same kind of register in the database ---------------------------------------------------


@dataclass
class Portfolio:
    org: Organisation
    payments: BusinessFunction
    analytics: BusinessFunction
    cloudy: Vendor
    scorer: Vendor
    prospect: Vendor
    hosting: Contract
    framework: Contract
    call_off: Contract
    planned: Contract


def _vendor(session: Session, org: Organisation, name: str, **values) -> Vendor:
    vendor = make_vendor(session, org, name)
    for field, value in values.items():
        setattr(vendor, field, value)
    session.add(vendor)
    session.flush()
    return vendor


def make_roi_portfolio(session: Session, name: str = "Acme Bank AG") -> Portfolio:
    """Two active vendors (one with an ultimate parent), a prospective one, four arrangements
    (one of which is left out), a supply chain sharing a host, and two functions."""
    org = make_org(session, name=name, entity_type="x12", competent_authority="BaFin",
                   settings={"total_assets": "1000000000"})  # fmt: skip
    payments = BusinessFunction(
        organisation_id=org.id, code="F1", name="Payments", licensed_activity="x222",
        critical="yes", criticality_reasons="Stops payments to customers.",
        last_assessed=date(2025, 6, 1), rto_hours=4, rpo_hours=1, discontinuation_impact="high",
    )  # fmt: skip
    analytics = BusinessFunction(
        organisation_id=org.id, code="F2", name="Marketing analytics", licensed_activity="x162",
        critical="no", last_assessed=date(2025, 6, 1), discontinuation_impact="low",
    )  # fmt: skip
    session.add_all([payments, analytics])
    session.flush()
    cloudy = _vendor(
        session, org, f"Cloudy SE ({name})", status="active", hq_country="DE",
        annual_expense=Decimal("120000"), substitutability="medium", reintegration="difficult",
        parent_name="Cloudy Holding AG", parent_identifier=lei_with_check_digits("5299000CLOUDYHOLD0"),
        parent_identifier_type="LEI",
    )  # fmt: skip
    scorer = _vendor(
        session, org, f"Scorer Ltd ({name})", status="active", hq_country="IE",
        annual_expense=Decimal("30000"), substitutability="easy", reintegration="easy",
    )  # fmt: skip
    prospect = _vendor(session, org, f"Prospect GmbH ({name})", status="prospective")
    hosting = Contract(
        organisation_id=org.id, vendor_id=cloudy.id, function_id=payments.id,
        reference="ACME-001", ict_service_type="S17", supports_critical_function=True,
        start_date=date(2024, 1, 1), notice_days_entity=90, notice_days_provider=180,
        governing_law_country="DE", service_country="DE", stores_data=True,
        storage_countries=["DE", "IE"], processing_countries=["DE"], data_sensitivity="high",
        reliance="x796", annual_cost=Decimal("120000"), exit_plan=True,
        alternatives="Other EU IaaS providers", alternatives_identified="yes",
        substitutability="medium", reintegration="difficult", discontinuation_impact="high",
    )  # fmt: skip
    framework = Contract(
        organisation_id=org.id, vendor_id=scorer.id, function_id=analytics.id,
        reference="ACME-002", arrangement_type="overarching", ict_service_type="S19",
        start_date=date(2025, 2, 1), end_date=date(2027, 1, 31), annual_cost=Decimal("20000"),
        alternatives_identified="no", substitutability="easy", reintegration="easy",
        discontinuation_impact="low",
    )  # fmt: skip
    call_off = Contract(
        organisation_id=org.id, vendor_id=scorer.id, function_id=analytics.id,
        reference="ACME-002-A", arrangement_type="subsequent", overarching_reference="ACME-002",
        ict_service_type="S06", start_date=date(2025, 3, 1), annual_cost=Decimal("10000"),
        substitutability="easy", reintegration="easy", discontinuation_impact="low",
    )  # fmt: skip
    planned = Contract(
        organisation_id=org.id, vendor_id=prospect.id, function_id=analytics.id,
        reference="ACME-003", start_date=date(2026, 3, 1),
    )  # fmt: skip
    session.add_all([hosting, framework, call_off, planned])
    session.flush()
    session.add_all(
        [
            Subcontractor(contract_id=hosting.id, rank=2, name="Hosting EMEA Ltd",
                          identifier=HOST_LEI, country="IE", recipient_identifier=cloudy.identifier),
            Subcontractor(contract_id=hosting.id, rank=3, name="Model Lab Ltd", identifier=LAB_LEI,
                          country="IE", recipient_identifier=HOST_LEI),
            Subcontractor(contract_id=framework.id, rank=2, name="Hosting EMEA Ltd",
                          identifier=HOST_LEI, country="IE"),
        ]
    )  # fmt: skip
    session.flush()
    return Portfolio(org, payments, analytics, cloudy, scorer, prospect, hosting, framework,
                     call_off, planned)  # fmt: skip


# --- a group in the database ------------------------------------------------------------------


@dataclass
class GroupPortfolio:
    portfolio: Portfolio
    own: GroupEntity
    it: GroupEntity
    paris: Branch
    it_vendor: Vendor
    intra_group: Contract
    it_hosting: Contract


def make_group_portfolio(session: Session) -> GroupPortfolio:
    """The portfolio grown into a group: the bank (ultimate parent) with a Paris branch using
    its hosting arrangement, and Acme IT Services GmbH, an intra-group ICT company providing
    the bank's core banking operations (ACME-IG-01) on a hosting arrangement of its own
    (ACME-IT-01), as the entities page and the arrangement form record them."""
    portfolio = make_roi_portfolio(session, name="Acme Group Bank AG")
    org = portfolio.org
    own = own_entity(session=session, organisation=org)
    own.hierarchy = "x53"
    it = GroupEntity(
        organisation_id=org.id, lei=IT_LEI, name="Acme IT Services GmbH", country="DE",
        entity_type="x317", hierarchy="x56", parent_id=own.id, integrated_on=date(2025, 1, 15),
    )  # fmt: skip
    session.add_all([own, it])
    session.flush()
    paris = Branch(organisation_id=org.id, entity_id=own.id, code="FR-PAR",
                   name="Acme Group Bank AG, Paris branch", country="FR")  # fmt: skip
    session.add(paris)
    session.flush()
    portfolio.hosting.branch_ids = [paris.id]
    it_vendor = _vendor(
        session, org, "Acme IT Services GmbH", identifier=IT_LEI, status="active",
        hq_country="DE", annual_expense=Decimal("900000"), group_entity_id=it.id,
        substitutability="highly_complex", reintegration="highly_complex",
    )  # fmt: skip
    intra_group = Contract(
        organisation_id=org.id, vendor_id=it_vendor.id, function_id=portfolio.payments.id,
        reference="ACME-IG-01", ict_service_type="S14", supports_critical_function=True,
        start_date=date(2023, 1, 1), notice_days_entity=180, notice_days_provider=365,
        governing_law_country="DE", service_country="DE", stores_data=True,
        storage_countries=["DE"], processing_countries=["DE"], data_sensitivity="high",
        reliance="x797", annual_cost=Decimal("900000"), exit_plan=True,
        substitutability="highly_complex", substitutability_reason="x964",
        reintegration="highly_complex", discontinuation_impact="high",
        entity_ids=[own.id], branch_ids=[paris.id], linked_reference="ACME-IT-01",
    )  # fmt: skip
    it_hosting = Contract(
        organisation_id=org.id, vendor_id=portfolio.cloudy.id, function_id=portfolio.payments.id,
        reference="ACME-IT-01", ict_service_type="S17", supports_critical_function=True,
        start_date=date(2023, 6, 1), notice_days_entity=90, notice_days_provider=180,
        governing_law_country="IE", service_country="IE", stores_data=True,
        storage_countries=["IE"], processing_countries=["IE"], data_sensitivity="high",
        reliance="x796", annual_cost=Decimal("300000"), exit_plan=True,
        substitutability="medium", reintegration="difficult", discontinuation_impact="high",
        entity_ids=[it.id], signing_entity_id=it.id,
    )  # fmt: skip
    session.add_all([portfolio.hosting, intra_group, it_hosting])
    session.flush()
    return GroupPortfolio(portfolio, own, it, paris, it_vendor, intra_group, it_hosting)
