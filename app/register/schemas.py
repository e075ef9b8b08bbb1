"""JSON shapes of the risk register API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from app.register.service import RegisterRow


class DomainMaturity(BaseModel):
    key: str
    title: str
    claimed: float | None
    level: float | None
    verified: float | None


class RegisterRowRead(BaseModel):
    vendor_id: int
    legal_name: str
    identifier: str
    status: str
    tier: str | None
    services: list[str]
    functions: list[str]
    critical_functions: list[str]
    ai_systems: list[dict[str, str]]
    maturity: float | None
    claimed_maturity: float | None
    verified_maturity: float | None
    target_maturity: int | None
    residual_risk: str | None
    domains: list[DomainMaturity]
    open_findings: dict[str, int]
    last_assessed: date | None
    next_review_date: date | None
    owner: str | None
    treatment: str | None
    treatment_justification: str | None
    treatment_due: date | None

    @classmethod
    def from_row(cls, row: RegisterRow) -> RegisterRowRead:
        v = row.vendor
        return cls(
            vendor_id=v.id or 0,
            legal_name=v.legal_name,
            identifier=v.identifier,
            status=str(v.status),
            tier=v.tier and str(v.tier),
            services=row.services,
            functions=[f"{code} {name}" for code, name, _ in row.functions],
            critical_functions=[f"{code} {name}" for code, name, c in row.functions if c],
            ai_systems=[{"name": n, "ai_act_class": c} for n, c in row.ai_systems],
            maturity=row.overall,
            claimed_maturity=row.claimed,
            verified_maturity=row.verified,
            target_maturity=row.target,
            residual_risk=row.residual,
            domains=[
                DomainMaturity(
                    key=key,
                    title=d["title"],
                    claimed=d["claimed"],
                    level=d["level"],
                    verified=d["verified"],
                )
                for key, d in row.domains.items()
            ],
            open_findings=row.findings,
            last_assessed=row.last_assessed,
            next_review_date=v.next_review_date,
            owner=row.owner_name,
            treatment=v.treatment and str(v.treatment),
            treatment_justification=v.treatment_justification,
            treatment_due=v.treatment_due,
        )


class RegisterPageRead(BaseModel):
    items: list[RegisterRowRead]
    total: int
    page: int
    per_page: int
    pages: int
