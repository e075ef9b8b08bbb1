"""A fast portfolio generator for benchmarks: N vendors with contracts, AI systems, a completed
assessment, a current score and F findings each, written with bulk INSERTs of the app's own
tables (one executemany per table and batch, not one ORM object per round trip).

`assay demo --vendors N` adds bare vendor rows only (no scores, findings, contracts or AI
systems), which leaves the register's joins and the export's Findings sheet empty, so the
benchmarks build their portfolios here. 50,000 vendors and 500,000 findings take about a minute.

The autosave and questionnaire-page benchmarks also need vendor contacts who can sign in, each
with an assessment of the 150-question questionnaire answered in full: `add_contacts`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, exists, func, insert, select, text
from sqlmodel import Session, SQLModel

from app.auth.passwords import _hasher
from app.db import make_engine, session_scope
from app.models import (
    AISystem,
    Answer,
    AnswerEvidence,
    Assessment,
    BusinessFunction,
    Contract,
    Evidence,
    Finding,
    Organisation,
    Questionnaire,
    Role,
    ScoreResult,
    User,
    Vendor,
    VendorContact,
)
from app.questionnaires.loader import content_hash, definition_dict
from app.questionnaires.service import publish, publish_library
from app.scoring import DEFAULT_DOMAINS, MODEL_VERSION
from app.scoring.catalog import _ISO
from app.vendors.codes import ICT_SERVICE_TYPES
from app.vendors.identifiers import lei_with_check_digits
from bench import questionnaire as bench_questionnaire

PASSWORD = "bench-password-0000"  # throwaway benchmark accounts
ORG_SLUG = "bench"
ANALYST = "analyst@bench.example"
ADMIN = "admin@bench.example"
BATCH = 5000
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
COUNTRIES = ["DE", "FR", "NL", "IE", "IT", "ES", "SE", "PL", "AT", "BE", "LU", "FI"]
CLOUDS = ["AWS", "Azure", "Google Cloud", "OVHcloud"]
MODELS = ["OpenAI", "Anthropic", "Mistral AI", "In-house", "Google"]
SEVERITIES = ["critical", "high", "high", "medium", "medium", "medium", "low", "low"]
STATUSES = ["open"] * 7 + ["in_progress", "risk_accepted", "closed"]
CONTROLS = sorted(_ISO)


@dataclass(frozen=True)
class Built:
    organisation_id: int
    vendors: int
    findings: int
    seconds: float


def password_hash() -> str:
    """Cheap argon2 parameters: verification reads them from the hash, so sign-in stays fast
    on any server without touching what the benchmarks measure."""
    return _hasher(True).hash(PASSWORD)


def _insert(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows with one executemany per batch; the new ids in the order of `rows`.

    Ids are taken up front (PostgreSQL: from the table's sequence; SQLite: after the highest),
    so no RETURNING is needed and psycopg can pipeline the batch."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    ids: list[int] = []
    if "id" in table.c and rows:
        ids = _new_ids(session, table, len(rows))
        rows = [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start : start + BATCH])
    return ids


def _new_ids(session: Session, table: Table, count: int) -> list[int]:
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": f'"{table.name}"', "n": count},
            ).scalars()
        )
    highest = session.execute(select(func.max(table.c.id))).scalar_one() or 0
    return list(range(highest + 1, highest + 1 + count))


def _chunks(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(count, start + size))


def organisation(session: Session) -> tuple[Organisation, User]:
    """The benchmark buyer with an admin and a risk analyst (get-or-create)."""
    org = (
        session.execute(select(Organisation).where(Organisation.slug == ORG_SLUG)).scalars().first()
    )
    if org is None:
        org = Organisation(
            name="Bench Bank AG",
            slug=ORG_SLUG,
            lei=lei_with_check_digits("529900BENCHBANK000"),
            country="DE",
            entity_type="x12",
            settings={"review_cadence_months": {"critical": 12, "high": 12}},
        )
        session.add(org)
        session.flush()
        hashed = password_hash()
        for email, role, name in (
            (ADMIN, Role.admin, "Ada Admin"),
            (ANALYST, Role.risk_analyst, "Rhea Analyst"),
        ):
            session.add(
                User(
                    email=email,
                    name=name,
                    role=role,
                    organisation_id=org.id,
                    password_hash=hashed,
                )
            )
        for code, critical in (("F1", "yes"), ("F2", "yes"), ("F3", "no"), ("F4", "no")):
            session.add(
                BusinessFunction(
                    organisation_id=org.id,
                    code=code,
                    name=f"Business function {code}",
                    critical=critical,
                    rto_hours=4,
                    rpo_hours=1,
                )
            )
        session.flush()
    analyst = session.execute(select(User).where(User.email == ANALYST)).scalars().one()
    return org, analyst


def _domains(rng: random.Random, overall: float) -> dict[str, dict[str, Any]]:
    out = {}
    for spec in DEFAULT_DOMAINS:
        level = round(max(0.0, min(5.0, overall + rng.uniform(-1.2, 1.2))), 2)
        out[spec.key] = {
            "title": spec.title,
            "framework": spec.framework,
            "critical": False,
            "claimed": round(min(5.0, level + 0.4), 2),
            "level": level,
            "verified": round(max(0.0, level - 0.8), 2),
        }
    return out


def build(url: str, vendors: int, findings_per_vendor: int = 10, seed: int = 7) -> Built:
    """Add `vendors` vendors (and everything hanging off them) to the benchmark organisation."""
    start = time.perf_counter()
    rng = random.Random(seed)
    engine = make_engine(url)
    service_types = sorted(ICT_SERVICE_TYPES)
    with session_scope(engine) as session:
        org, analyst = organisation(session)
        library = publish_library(session=session)[0]
        functions = list(
            session.execute(
                select(BusinessFunction.id).where(BusinessFunction.organisation_id == org.id)
            ).scalars()
        )
        first = session.execute(
            select(func.count()).select_from(Vendor).where(Vendor.organisation_id == org.id)
        ).scalar_one()
        findings = 0
        for block in _chunks(vendors, 10_000):
            rows = []
            for i in block:
                n = first + i
                critical = rng.random() < 0.3
                rows.append(
                    {
                        "organisation_id": org.id,
                        "legal_name": f"Supplier {n:06d} {rng.choice(['GmbH', 'SE', 'Ltd', 'B.V.', 'S.A.'])}",
                        "identifier": lei_with_check_digits(f"BENCH{n:013d}"),
                        "identifier_type": "LEI",
                        "person_type": "legal",
                        "hq_country": rng.choice(COUNTRIES),
                        "status": rng.choice(["active"] * 8 + ["prospective", "offboarded"]),
                        "currency": "EUR",
                        "annual_expense": Decimal(rng.randint(10, 900) * 1000),
                        "supports_critical_function": critical,
                        "data_sensitivity": rng.choice(["low", "medium", "high"]),
                        "substitutability": rng.choice(
                            ["easy", "medium", "highly_complex", "not_substitutable"]
                        ),
                        "ai_role": rng.choice(["provider", "deployer", "both", "none"]),
                        "cloud_providers": rng.sample(CLOUDS, rng.choice([1, 1, 2])),
                        "exit_plan": critical,
                        "tier": rng.choice(["critical", "high", "medium", "low"]),
                        "owner_id": analyst.id if rng.random() < 0.3 else None,
                        "treatment": rng.choice([None, None, None, "mitigate", "accept"]),
                        "treatment_justification": None,
                        "next_review_date": TODAY + timedelta(days=rng.randint(-60, 700)),
                        "auto_resend": None,
                        "version": 1,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
            ids = _insert(session, Vendor, rows)
            contracts = _insert(
                session,
                Contract,
                [
                    {
                        "organisation_id": org.id,
                        "vendor_id": vid,
                        "function_id": rng.choice(functions),
                        "reference": f"BENCH-{first + block.start + i:06d}",
                        "arrangement_type": "standalone",
                        "ict_service_type": rng.choice(service_types),
                        "supports_critical_function": row["supports_critical_function"],
                        "stores_data": True,
                        "storage_countries": [row["hq_country"]],
                        "processing_countries": [row["hq_country"]],
                        "currency": "EUR",
                        "exit_plan": False,
                        "audit_rights": True,
                        "start_date": date(2024, 1, 1),
                        "end_date": date(2028, 12, 31),
                        "created_at": NOW,
                    }
                    for i, (vid, row) in enumerate(zip(ids, rows, strict=True))
                ],
            )
            systems = []
            for vid, contract_id in zip(ids, contracts, strict=True):
                for k in range(rng.choice([0, 1, 1, 1, 2])):
                    systems.append(
                        {
                            "vendor_id": vid,
                            "contract_id": contract_id,
                            "name": f"Model service {k + 1}",
                            "purpose": "Scores applications and flags anomalies for review",
                            "vendor_role": "provider",
                            "ai_act_class": rng.choice(["high", "limited", "minimal"]),
                            "affects_natural_persons": rng.random() < 0.5,
                            "model_provider": rng.choice(MODELS),
                            "created_at": NOW,
                        }
                    )
            _insert(session, AISystem, systems)
            completed = NOW - timedelta(days=rng.randint(10, 300))
            assessments = _insert(
                session,
                Assessment,
                [
                    {
                        "organisation_id": org.id,
                        "vendor_id": vid,
                        "questionnaire_id": library.id,
                        "status": "completed",
                        "due_date": completed.date(),
                        "sent_at": completed - timedelta(days=30),
                        "submitted_at": completed - timedelta(days=5),
                        "completed_at": completed,
                        "reuse_across_buyers": False,
                        "version": 6,
                        "created_at": completed - timedelta(days=31),
                        "updated_at": completed,
                    }
                    for vid in ids
                ],
            )
            scores = []
            for vid, assessment_id, row in zip(ids, assessments, rows, strict=True):
                overall = round(rng.uniform(0.5, 4.8), 2)
                scores.append(
                    {
                        "organisation_id": org.id,
                        "vendor_id": vid,
                        "assessment_id": assessment_id,
                        "model_version": MODEL_VERSION,
                        "overall_maturity": overall,
                        "verified_maturity": round(max(0.0, overall - 0.9), 2),
                        "claimed_maturity": round(min(5.0, overall + 0.5), 2),
                        "level_name": "Defined",
                        "inherent_tier": row["tier"],
                        "target_maturity": 3,
                        "residual_risk": rng.choice(["critical", "high", "medium", "low"]),
                        "domains": _domains(rng, overall),
                        "explanation": {},
                        "is_current": True,
                        "computed_at": completed,
                    }
                )
            _insert(session, ScoreResult, scores)
            finding_rows = []
            for vid, assessment_id in zip(ids, assessments, strict=True):
                for control in rng.sample(CONTROLS, findings_per_vendor):
                    severity = rng.choice(SEVERITIES)
                    level = round(rng.uniform(0, 2.9), 2)
                    status = rng.choice(STATUSES)
                    finding_rows.append(
                        {
                            "organisation_id": org.id,
                            "vendor_id": vid,
                            "assessment_id": assessment_id,
                            "key": f"iso42001:{control}",
                            "framework": "iso42001",
                            "source": "scoring",
                            "title": f"ISO/IEC 42001 {control}: maturity {level:.1f}, target 3",
                            "description": (
                                f"Control {control} scored {level:.2f} against a target of 3. "
                                "Two contributing answers counted less: one claimed level lacked "
                                "accepted evidence, one file had expired."
                            ),
                            "refs": {"iso42001": [control]},
                            "severity": severity,
                            "status": status,
                            "current_level": level,
                            "target_level": 3,
                            "created_at": completed,
                            "updated_at": completed,
                            "closed_at": completed if status == "closed" else None,
                        }
                    )
            findings += len(finding_rows)
            _insert(session, Finding, finding_rows)
            _insert(
                session,
                Evidence,
                [
                    {
                        "vendor_id": vid,
                        "sha256": f"{rng.getrandbits(256):064x}",
                        "filename": "iso-42001-certificate.pdf",
                        "size": 183_211,
                        "media_type": "application/pdf",
                        "storage_key": f"bench/{vid}",
                        "kind": "certificate",
                        "title": "ISO/IEC 42001 certificate",
                        "valid_until": TODAY + timedelta(days=rng.randint(-30, 900)),
                        "uploaded_at": completed,
                    }
                    for vid in ids[::2]
                ],
            )
        organisation_id = org.id
    if engine.dialect.name == "postgresql":
        # Autovacuum would analyse the new rows within a minute; do it now so the planner sees
        # the portfolio as a live server would. (The app never runs ANALYZE on SQLite.)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return Built(organisation_id, vendors, findings, time.perf_counter() - start)


@dataclass(frozen=True)
class Contact:
    email: str
    assessment_id: int
    answer_ids: dict[str, int]  # question key → answer row id


def benchmark_questionnaire(
    session: Session, questions: int = bench_questionnaire.QUESTIONS
) -> Questionnaire:
    """The benchmark definition, published like any questionnaire (get-or-create)."""
    defn = bench_questionnaire.definition(questions)
    existing = (
        session.execute(
            select(Questionnaire).where(Questionnaire.content_hash == content_hash(defn))
        )
        .scalars()
        .first()
    )
    if existing is not None:
        return existing
    row, _ = publish(session=session, definition=defn)
    assert row.question_count == questions, definition_dict(defn)["key"]
    return row


def add_contacts(
    url: str,
    count: int,
    status: str = "in_progress",
    questions: int = bench_questionnaire.QUESTIONS,
) -> list[Contact]:
    """`count` vendor contacts (users who can sign in), each at their own vendor (one without
    contacts yet) with their own assessment of the `questions`-question questionnaire, every
    question already answered once.

    Like a re-assessment, each vendor also has last year's completed assessment of the same
    questionnaire (other values, so the page offers the earlier answers), and files in its
    evidence library attached to every fifth answer of both."""
    engine = make_engine(url)
    hashed = password_hash()
    contacts = []
    with session_scope(engine) as session:
        org, analyst = organisation(session)
        row = benchmark_questionnaire(session, questions)
        defn = bench_questionnaire.definition(questions)
        values = bench_questionnaire.answers(defn)
        earlier_values = bench_questionnaire.answers(defn, seed=99)
        keys = list(values)
        vendor_ids = list(
            session.execute(
                select(Vendor.id)
                .where(
                    Vendor.organisation_id == org.id,
                    ~exists().where(VendorContact.vendor_id == Vendor.id),
                )
                .order_by(Vendor.id)
                .limit(count)
            ).scalars()
        )
        if len(vendor_ids) < count:
            raise ValueError(f"build a portfolio of at least {count} vendors first")
        for n, vendor_id in enumerate(vendor_ids):
            email = f"contact@vendor{vendor_id}.example"
            (user_id,) = _insert(
                session,
                User,
                [
                    {
                        "email": email,
                        "name": f"Contact {n:03d}",
                        "role": Role.vendor_contact,
                        "password_hash": hashed,
                        "totp_enabled": False,
                        "recovery_code_hashes": [],
                        "active": True,
                        "session_epoch": 0,
                        "created_at": NOW,
                    }
                ],
            )
            _insert(
                session,
                VendorContact,
                [
                    {
                        "vendor_id": vendor_id,
                        "name": f"Contact {n:03d}",
                        "email": email,
                        "is_primary": True,
                        "user_id": user_id,
                        "created_at": NOW,
                    }
                ],
            )
            files = _insert(
                session,
                Evidence,
                [
                    {
                        "vendor_id": vendor_id,
                        "sha256": f"{vendor_id:032x}{k:032x}",
                        "filename": f"ai-governance-evidence-{k:02d}.pdf",
                        "size": 90_000 + k,
                        "media_type": "application/pdf",
                        "storage_key": f"bench/{vendor_id}/{k}",
                        "kind": "policy",
                        "title": f"AI governance evidence {k}",
                        "valid_until": TODAY + timedelta(days=30 * k - 60),
                        "uploaded_by_id": user_id,
                        "uploaded_at": NOW,
                    }
                    for k in range(8)
                ],
            )
            ids: dict[str, int] = {}
            for state, answers in (("completed", earlier_values), (status, values)):
                earlier = state == "completed" and status != "completed"
                (assessment_id,) = _insert(
                    session,
                    Assessment,
                    [
                        {
                            "organisation_id": org.id,
                            "vendor_id": vendor_id,
                            "questionnaire_id": row.id,
                            "status": state,
                            "due_date": TODAY + timedelta(days=-300 if earlier else 3650),
                            "sent_at": NOW - timedelta(days=365 if earlier else 0),
                            "submitted_at": NOW - timedelta(days=330) if earlier else None,
                            "completed_at": NOW - timedelta(days=320) if earlier else None,
                            "reuse_across_buyers": False,
                            "created_by_id": analyst.id,
                            "version": 2,
                            "created_at": NOW - timedelta(days=366 if earlier else 0),
                            "updated_at": NOW,
                        }
                    ],
                )
                answered = NOW - timedelta(days=340 if earlier else 0)
                answer_ids = _insert(
                    session,
                    Answer,
                    [
                        {
                            "assessment_id": assessment_id,
                            "question_key": key,
                            "value": answers[key],
                            "version": 1,
                            "review_state": "accepted" if earlier else "pending",
                            "answered_by_id": user_id,
                            "answered_at": answered,
                        }
                        for key in keys
                    ],
                )
                _insert(
                    session,
                    AnswerEvidence,
                    [
                        {
                            "answer_id": answer_id,
                            "evidence_id": files[i % len(files)],
                            "review_state": "accepted" if earlier else "pending",
                            "linked_by_id": user_id,
                            "linked_at": answered,
                        }
                        for i, answer_id in enumerate(answer_ids)
                        if i % 5 == 0
                    ],
                )
                ids = dict(zip(keys, answer_ids, strict=True))
            contacts.append(Contact(email, assessment_id, ids))
    engine.dispose()
    return contacts
