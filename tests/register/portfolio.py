"""A portfolio for register, dashboard and export tests: vendors with contracts, functions, AI
systems, current scores and findings, built with plain rows (fast enough for hundreds)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event
from sqlmodel import Session

from app.models import (
    AISystem,
    BusinessFunction,
    Contract,
    Finding,
    Organisation,
    ScoreResult,
    Vendor,
)
from tests.factories import make_assessment, make_vendor

_n = itertools.count(1)


@dataclass
class Built:
    vendor: Vendor
    score: ScoreResult | None


def add_scored_vendor(
    session: Session,
    org: Organisation,
    actor,
    *,
    name: str | None = None,
    tier: str = "high",
    overall: float = 2.5,
    residual: str = "medium",
    findings: dict[str, int] | None = None,
    model_provider: str | None = "OpenAI",
    cloud: str = "AWS",
    function: BusinessFunction | None = None,
    questionnaire=None,
) -> Built:
    n = next(_n)
    vendor = make_vendor(session, org, name, cloud_providers=[cloud])
    vendor.tier = tier
    session.add(vendor)
    contract = Contract(
        organisation_id=org.id,
        vendor_id=vendor.id,
        function_id=function.id if function else None,
        reference=f"REF-{n}",
        ict_service_type="S19",
    )
    session.add(contract)
    if model_provider:
        session.add(
            AISystem(
                vendor_id=vendor.id,
                name=f"System {n}",
                model_provider=model_provider,
                ai_act_class="high" if n % 2 else "limited",
            )
        )
    assessment = make_assessment(
        session, org, vendor, actor, questionnaire=questionnaire, status="completed"
    )
    score = ScoreResult(
        organisation_id=org.id,
        vendor_id=vendor.id,
        assessment_id=assessment.id,
        model_version="2026.1",
        overall_maturity=overall,
        claimed_maturity=overall + 0.5,
        verified_maturity=max(0.0, overall - 1),
        level_name="x",
        inherent_tier=tier,
        target_maturity=3,
        residual_risk=residual,
        domains={
            "iso42001:A.2": {
                "title": "A.2 Policies related to AI",
                "framework": "iso42001",
                "critical": False,
                "claimed": overall + 0.5,
                "level": overall,
                "verified": overall - 1,
            }
        },
        explanation={},
    )
    session.add(score)
    for severity, count in (findings or {}).items():
        for i in range(count):
            session.add(
                Finding(
                    organisation_id=org.id,
                    vendor_id=vendor.id,
                    key=f"iso42001:A.{n}.{severity}.{i}",
                    framework="iso42001",
                    title=f"Gap {severity} {i} of {vendor.legal_name}",
                    severity=severity,
                )
            )
    session.flush()
    return Built(vendor, score)


def make_function(session: Session, org: Organisation, code: str = "F1", critical: str = "yes"):
    function = BusinessFunction(
        organisation_id=org.id, code=code, name=f"Function {code}", critical=critical
    )
    session.add(function)
    session.flush()
    return function


class StatementCounter:
    """Counts SQL statements sent through an engine while active."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        return len(self.statements)


TODAY = date(2026, 6, 30)
