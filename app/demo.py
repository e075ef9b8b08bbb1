"""Demo data: a buyer with users of every role and a portfolio of twelve AI-using suppliers.

Every step is get-or-create on a natural key, so `assay demo` can run any number of times and
later capabilities can add their part to an existing demo database.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.auth.passwords import hash_password
from app.config import Settings
from app.db import session_scope
from app.models import (
    AISystem,
    BusinessFunction,
    Contract,
    Organisation,
    Role,
    User,
    Vendor,
    VendorContact,
)
from app.register.roi.group import own_entity
from app.vendors import providers
from app.vendors.identifiers import lei_with_check_digits

DEMO_PASSWORD = "assay-demo-password"  # noqa: S105 (published demo login)
DEMO_ORG_SLUG = "harbourvale"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: Role
    name: str
    vendor: str | None = None
    note: str = ""  # what this sign-in shows a newcomer


ANALYST_EMAIL = "analyst@harbourvale.example"
BUYER_LOGINS = [
    DemoLogin("admin@harbourvale.example", Role.admin, "Amira Haddad"),
    DemoLogin("procurement@harbourvale.example", Role.procurement, "Paul Okafor"),
    DemoLogin(ANALYST_EMAIL, Role.risk_analyst, "Rita Lindqvist"),
    DemoLogin("auditor@harbourvale.example", Role.auditor, "Aldo Ferraro"),
]
VENDOR_LOGINS = [
    DemoLogin(
        "admin@cobalt-cloud.example", Role.vendor_admin, "Vera Novak", "Cobalt Cloud Services SE"
    ),
    DemoLogin(
        "contact@cobalt-cloud.example", Role.vendor_contact, "Chen Wei", "Cobalt Cloud Services SE"
    ),
    DemoLogin(
        "admin@veridian-scoring.example", Role.vendor_admin, "Sofia Marques", "Veridian Scoring Ltd"
    ),
    # Vendors whose assessment is still open on their side: one to answer, one to clarify.
    DemoLogin(
        "admin@brightline-cc.example",
        Role.vendor_admin,
        "Maeve Byrne",
        "Brightline Contact Centre Ltd",
        "questionnaire half answered",
    ),
    DemoLogin(
        "admin@parallax-ai.example",
        Role.vendor_admin,
        "Joost de Vries",
        "Parallax AI B.V.",
        "clarifications to answer",
    ),
]

FUNCTIONS = [
    ("F1", "Payment processing", "yes", 4, 1),
    ("F2", "Retail credit underwriting", "yes", 24, 4),
    ("F3", "Customer onboarding and KYC", "yes", 8, 2),
    ("F4", "Customer service", "no", 48, 24),
    ("F5", "Fraud and AML transaction monitoring", "yes", 2, 1),
    ("F6", "Human resources administration", "no", 72, 24),
]
# RoI B_06.01 licensed activity (LIST0601020) each function serves, without the eba_TA: prefix.
LICENSED_ACTIVITIES = {
    "F1": "x222",  # execution of payment transactions
    "F2": "x163",  # lending activities
    "F3": "x162",  # taking deposits and other repayable funds
    "F4": "x162",
    "F5": "x28",  # payment services
    "F6": "x162",
}

# Dates that tell an arrangement's story: a prospective vendor's contract starts once it is
# onboarded; an offboarded vendor's contract has ended, with its reason (RoI LIST0202090).
CONTRACT_DATES: dict[str, dict[str, object]] = {
    "Tessellate Payments Tech S.r.l.": {
        "start_date": date(2027, 2, 1),
        "end_date": date(2030, 1, 31),
    },
    "Meridian Market Data plc": {
        "start_date": date(2024, 1, 1),
        "end_date": date(2026, 6, 30),
        "termination_reason": "x4",  # expired and not renewed
    },
}

# RoI B_07.01 c0060 (LIST0701060) for the vendors that are not or hardly substitutable.
SUBSTITUTABILITY_REASONS = {
    "Cobalt Cloud Services SE": "x964",  # difficulties in migrating or reintegrating
    "Veridian Scoring Ltd": "x965",  # no real alternative, and hard to migrate
    "Parallax AI B.V.": "x963",  # lack of real alternatives
    "Helix KYC Solutions S.A.": "x964",
}

# legal name, LEI prefix, country, status, critical, data sensitivity, substitutability, AI role,
# The bank's own AI Act view of the systems it uses for credit decisions (Annex III 5(b)).
BUYER_VIEW: dict[str, tuple[str, str, str]] = {
    "CreditLens": ("high", "5b", "deployer"),
    "Income verifier": ("high", "5b", "deployer"),
}

# cloud providers, function, ICT service type, AI systems (name, purpose, class, persons, model provider)
VENDORS = [
    (
        "Cobalt Cloud Services SE",
        "5299001COBALTCLOUD",
        "DE",
        "active",
        True,
        "high",
        "highly_complex",
        "deployer",
        ["Cobalt own data centres"],
        "F1",
        "S17",
        [
            (
                "Capacity forecaster",
                "Predicts compute demand for payment workloads",
                "minimal",
                False,
                "In-house",
            )
        ],
    ),
    (
        "Veridian Scoring Ltd",
        "2138001VERIDIANSCO",
        "IE",
        "active",
        True,
        "high",
        "not_substitutable",
        "provider",
        ["Azure"],
        "F2",
        "S19",
        [
            (
                "CreditLens",
                "Scores retail credit applications",
                "high",
                True,
                "In-house gradient boosting",
            ),
            ("Income verifier", "Reads payslips and bank statements", "high", True, "OpenAI"),
        ],
    ),
    (
        "Lumen Analytics GmbH",
        "5299002LUMENANALYT",
        "AT",
        "active",
        False,
        "low",
        "easy",
        "provider",
        ["AWS"],
        "F4",
        "S06",
        [("Churn radar", "Flags customers likely to leave", "minimal", True, "In-house")],
    ),
    (
        "Parallax AI B.V.",
        "7245001PARALLAXAIB",
        "NL",
        "active",
        True,
        "high",
        "highly_complex",
        "provider",
        ["Google Cloud"],
        "F5",
        "S19",
        [
            ("Sentinel", "Scores card transactions for fraud", "limited", True, "In-house"),
            (
                "Alert summariser",
                "Summarises AML alerts for investigators",
                "limited",
                False,
                "Anthropic",
            ),
        ],
    ),
    (
        "Nordlys Data AS",
        "5967001NORDLYSDATA",
        "NO",
        "active",
        False,
        "low",
        "easy",
        "none",
        ["AWS"],
        "F4",
        "S05",
        [],
    ),
    (
        "Quillmark Document AI SAS",
        "9695001QUILLMARKDO",
        "FR",
        "active",
        True,
        "medium",
        "easy",
        "provider",
        ["OVHcloud"],
        "F3",
        "S19",
        [("DocCheck", "Extracts data from identity documents", "limited", True, "Mistral AI")],
    ),
    (
        "Helix KYC Solutions S.A.",
        "5493001HELIXKYCSOL",
        "LU",
        "active",
        True,
        "high",
        "highly_complex",
        "both",
        ["Azure"],
        "F3",
        "S19",
        [
            ("FaceMatch", "Biometric match of selfie to ID photo", "high", True, "In-house"),
            ("Screening assistant", "Ranks sanctions and PEP hits", "limited", True, "OpenAI"),
        ],
    ),
    (
        "Brightline Contact Centre Ltd",
        "2138002BRIGHTLINEC",
        "GB",
        "active",
        False,
        "medium",
        "easy",
        "deployer",
        ["AWS"],
        "F4",
        "S03",
        [("Voice bot", "Answers first-line customer calls", "limited", True, "OpenAI")],
    ),
    (
        "Tessellate Payments Tech S.r.l.",
        "8156001TESSELLATEP",
        "IT",
        "prospective",
        True,
        "high",
        "medium",
        "deployer",
        ["Google Cloud"],
        "F1",
        "S18",
        [("Routing optimiser", "Chooses the cheapest payment route", "minimal", False, "In-house")],
    ),
    (
        "Orchard HR Systems Oy",
        "7437001ORCHARDHRSY",
        "FI",
        "active",
        False,
        "medium",
        "easy",
        "deployer",
        ["Azure"],
        "F6",
        "S19",
        [("CV screener", "Ranks job applicants", "high", True, "OpenAI")],
    ),
    (
        "Meridian Market Data plc",
        "2138003MERIDIANMAR",
        "GB",
        "offboarded",
        False,
        "low",
        "easy",
        "none",
        ["AWS"],
        "F4",
        "S05",
        [],
    ),
    (
        "Sable Security Operations GmbH",
        "5299003SABLESECOPS",
        "DE",
        "active",
        True,
        "medium",
        "medium",
        "provider",
        ["OVHcloud"],
        "F5",
        "S04",
        [("Threat triage", "Prioritises security alerts", "minimal", False, "Anthropic")],
    ),
]


def _get_or_create(session: Session, model, lookup: dict, **values):
    found = session.exec(select(model).filter_by(**lookup)).first()
    if found is not None:
        return found, False
    row = model(**lookup, **values)
    session.add(row)
    session.flush()
    return row, True


def _demo_org(session: Session) -> Organisation:
    org, _ = _get_or_create(
        session,
        Organisation,
        {"slug": DEMO_ORG_SLUG},
        name="Harbour & Vale Bank AG",
        lei=lei_with_check_digits("529900HARBOURVALE0"),
        country="DE",
        regime="DORA",
        entity_type="x12",
        competent_authority="BaFin",
        sso_domains=["harbourvale.example"],
        default_role=Role.procurement,
        settings={
            "review_cadence_months": {"critical": 12, "high": 12, "medium": 24, "low": 36},
            "total_assets": "18400000000",  # RoI B_01.02 c0110, in the reporting currency
        },
    )
    # In the register since DORA applied (B_01.02 c0090), not since the demo was loaded.
    own_entity(session=session, organisation=org).integrated_on = date(2025, 1, 17)
    return org


def _demo_users(session: Session, org: Organisation, password_hash: str) -> None:
    for login in BUYER_LOGINS:
        _get_or_create(
            session,
            User,
            {"email": login.email},
            name=login.name,
            role=login.role,
            organisation_id=org.id,
            password_hash=password_hash,
        )


def _demo_portfolio(session: Session, org: Organisation, password_hash: str) -> None:
    functions = {}
    for code, name, critical, rto, rpo in FUNCTIONS:
        functions[code], _ = _get_or_create(
            session,
            BusinessFunction,
            {"organisation_id": org.id, "code": code},
            name=name,
            critical=critical,
            rto_hours=rto,
            rpo_hours=rpo,
            licensed_activity=LICENSED_ACTIVITIES[code],
            criticality_reasons=None
            if critical == "no"
            else "Disruption would stop a regulated service to customers.",
            last_assessed=date(2025, 9, 30),
            discontinuation_impact="high" if critical == "yes" else "low",
        )
    # The analyst owns the vendors, so their reviews are assigned to her ("My tasks").
    owner_id = session.exec(select(User.id).where(User.email == ANALYST_EMAIL)).one()
    for index, spec in enumerate(VENDORS, start=1):
        (
            name,
            lei_prefix,
            country,
            status,
            critical,
            sensitivity,
            substitutability,
            ai_role,
            clouds,
            function_code,
            service_type,
            systems,
        ) = spec
        vendor, _ = _get_or_create(
            session,
            Vendor,
            {"organisation_id": org.id, "legal_name": name},
            identifier=lei_with_check_digits(lei_prefix),
            identifier_type="LEI",
            hq_country=country,
            status=status,
            supports_critical_function=critical,
            data_sensitivity=sensitivity,
            substitutability=substitutability,
            substitutability_reason=SUBSTITUTABILITY_REASONS.get(name),
            ai_role=ai_role,
            cloud_providers=clouds,
            annual_expense=Decimal(40_000 + 17_500 * index),
            currency="EUR",
            exit_plan=critical,
            last_audit_date=date(2025, 1 + index % 9, 15),
            reintegration="difficult" if critical else "easy",
            website=f"https://{name.split()[0].lower()}.example",
            owner_id=owner_id,
        )
        contract, _ = _get_or_create(
            session,
            Contract,
            {"organisation_id": org.id, "reference": f"HV-ICT-{2024 + index % 2}-{index:03d}"},
            vendor_id=vendor.id,
            function_id=functions[function_code].id,
            ict_service_type=service_type,
            supports_critical_function=critical,
            description=f"{service_type} services from {name}",
            **(
                CONTRACT_DATES.get(name)
                or {
                    "start_date": date(2024, 1 + index % 12, 1),
                    "end_date": date(2027 + index % 3, 12, 31),
                }
            ),
            notice_days_entity=90,
            notice_days_provider=180,
            governing_law_country=country,
            service_country=country,
            stores_data=sensitivity != "none",
            storage_countries=[country],
            processing_countries=[country, "IE"] if index % 3 == 0 else [country],
            data_sensitivity=sensitivity if sensitivity != "none" else None,
            reliance="x796" if critical else "x795",
            annual_cost=Decimal(40_000 + 17_500 * index),
            exit_plan=critical,
            audit_rights=True,
            # The bank's own assessment of the service (B_07.01), reviewed yearly.
            alternatives_identified="yes" if substitutability in ("easy", "medium") else "no",
            alternatives="Two other EU providers shortlisted"
            if substitutability in ("easy", "medium")
            else None,
            substitutability=substitutability,
            substitutability_reason=SUBSTITUTABILITY_REASONS.get(name),
            reintegration="difficult" if critical else "easy",
            discontinuation_impact="high" if critical else ("medium" if index % 2 else "low"),
        )
        for cloud in clouds:
            providers.resolve(session=session, organisation_id=org.id, name=cloud)
        for system_name, purpose, ai_class, persons, model_provider in systems:
            record = providers.resolve(session=session, organisation_id=org.id, name=model_provider)
            buyer_class, use, buyer_role = BUYER_VIEW.get(system_name, (None, None, None))
            _get_or_create(
                session,
                AISystem,
                {"vendor_id": vendor.id, "name": system_name},
                contract_id=contract.id,
                purpose=purpose,
                ai_act_class=VENDOR_STATED_CLASS.get(system_name, ai_class),
                vendor_role="provider" if ai_role in ("provider", "both") else "deployer",
                affects_natural_persons=persons,
                model_provider=model_provider,
                model_provider_id=record.id if record is not None else None,
                human_oversight="Analyst reviews every adverse outcome" if persons else None,
                buyer_risk_class=buyer_class or ai_class,  # our own classification of the use
                annex_iii_use=use,
                buyer_role=buyer_role,
            )
    for login in VENDOR_LOGINS:
        vendor = session.exec(
            select(Vendor).where(
                Vendor.organisation_id == org.id, Vendor.legal_name == login.vendor
            )
        ).one()
        user, _ = _get_or_create(
            session,
            User,
            {"email": login.email},
            name=login.name,
            role=login.role,
            password_hash=password_hash,
        )
        _get_or_create(
            session,
            VendorContact,
            {"vendor_id": vendor.id, "email": login.email},
            name=login.name,
            user_id=user.id,
            is_primary=login.role == Role.vendor_admin,
            title="Head of compliance" if login.role == Role.vendor_admin else "Engineer",
        )


def _generated_vendors(session: Session, org: Organisation, count: int) -> int:
    """Bulk synthetic vendors for benchmarks: deterministic names, valid LEIs."""
    existing = session.exec(
        select(func.count()).select_from(Vendor).where(Vendor.legal_name.like("Generated %"))
    ).one()
    rng = random.Random(42)
    countries = ["DE", "FR", "NL", "IE", "IT", "ES", "SE", "PL", "AT", "BE"]
    for n in range(existing, count):
        session.add(
            Vendor(
                organisation_id=org.id,
                legal_name=f"Generated Supplier {n:06d}",
                identifier=lei_with_check_digits(f"GEN{n:015d}"),
                identifier_type="LEI",
                hq_country=rng.choice(countries),
                status="active",
                supports_critical_function=rng.random() < 0.3,
                data_sensitivity=rng.choice(["low", "medium", "high"]),
                substitutability=(
                    hard := rng.choice(["easy", "medium", "highly_complex", "not_substitutable"])
                ),
                substitutability_reason="x963"
                if hard in ("highly_complex", "not_substitutable")
                else None,
                ai_role=rng.choice(["provider", "deployer", "both", "none"]),
                cloud_providers=[rng.choice(["AWS", "Azure", "Google Cloud", "OVHcloud"])],
            )
        )
        if n % 1000 == 999:
            session.flush()
    return max(0, count - existing)


# Where the vendor states another AI Act class than ours: the credit-scoring system its
# provider calls minimal (Annex III 5(b) makes it high-risk for us).
VENDOR_STATED_CLASS = {"CreditLens": "minimal"}


def load_demo(
    engine: Engine, settings: Settings, *, if_empty: bool = False, extra_vendors: int = 0
) -> str:
    with session_scope(engine) as session:
        if if_empty and session.exec(select(func.count()).select_from(Organisation)).one():
            return "Database already has data: demo not loaded."
        password_hash = hash_password(DEMO_PASSWORD)
        org = _demo_org(session)
        _demo_users(session, org, password_hash)
        _demo_portfolio(session, org, password_hash)
        for step in DEMO_STEPS:
            module, _, name = step.partition(":")
            getattr(importlib.import_module(module), name)(session, org, settings)
        added = _generated_vendors(session, org, extra_vendors) if extra_vendors else 0
        vendors = session.exec(
            select(func.count()).select_from(Vendor).where(Vendor.organisation_id == org.id)
        ).one()
    suffix = f" ({added} generated vendors added)" if added else ""
    return f"Demo organisation {org.name}: {vendors} vendors{suffix}."


# Later capabilities add their demo step here as "module:function"; each step is called with
# (session, organisation, settings) and must be get-or-create, like everything above.
DEMO_STEPS: list[str] = [
    "app.vendors.demo:load",
    "app.evidence.demo:load",
    "app.assessments.demo:load",
    "app.scoring.demo:load",
]


def print_logins() -> None:
    print(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})")
    for login in BUYER_LOGINS + VENDOR_LOGINS:
        where = f" at {login.vendor}" if login.vendor else ""
        note = f" ({login.note})" if login.note else ""
        print(f"  {login.role.value:<15} {login.email}{where}{note}")
