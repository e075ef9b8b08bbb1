"""What the scoring model returns: immutable values that serialise to plain JSON and back,
so a score can be stored, exported and compared with a later run."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, NamedTuple

# Why an answer counted for less than the vendor claimed; the code is stored, the text shown.
CAP_REASONS = {
    "unanswered": "not answered, counts 0",
    "invalid_value": "answer is not one of the question's options, counts 0",
    "answer_rejected": "the reviewer rejected the answer, counts 0",
    "evidence_missing": "no evidence provided for a level that requires it",
    "evidence_rejected": "the only evidence was rejected by the reviewer",
    "evidence_expired": "the evidence is past its valid-until date",
    "not_accepted": "the reviewer has not accepted the answer yet",
    "evidence_not_accepted": "the evidence has not been accepted by the reviewer",
    "evidence_wrong_kind": "the evidence is not of a kind this question asks for",
    "evidence_unreviewed": "evidence not yet reviewed supports at most level 3",
}

BASES = ("self_attested", "evidence_provided", "evidence_accepted")


class EvidenceNote(NamedTuple):
    """One piece of evidence as the model weighed it."""

    evidence_id: str | int
    sha256: str
    status: str
    valid_until: date | None
    counted: bool  # valid: of an asked-for kind, not rejected and not expired on as_of
    reason: str  # "provided" | "accepted" | "rejected" | "expired" | "wrong_kind"
    kind: str | None = None  # the kind the vendor gave the file (model 2026.2 on)


class AnswerOutcome(NamedTuple):
    """How one answer turned into levels: what was claimed, what counted, and why."""

    question_key: str
    raw_value: Any
    review_state: str | None  # None when unanswered
    weight: float
    applicable: bool  # False when the vendor answered "not applicable"
    claimed_level: int  # the vendor's word, no caps
    effective_level: int  # caps for missing/rejected/expired evidence and rejected answers
    verified_level: int  # only what the reviewer accepted, with accepted evidence
    cap: str | None  # CAP_REASONS code: effective < claimed, unanswered or rejected
    cap_reason: str | None
    verified_cap: str | None  # code when verified < effective
    basis: str  # one of BASES
    evidence: tuple[EvidenceNote, ...]


class ControlScore(NamedTuple):
    """One control's levels and the answers behind them; levels are None when every
    contributing answer was "not applicable"."""

    key: str  # finding key, f"{framework}:{control_id}"
    framework: str
    control_id: str
    title: str
    domain: str
    critical: bool
    claimed: float | None
    level: float | None
    verified: float | None
    basis: str
    contributions: tuple[AnswerOutcome, ...]


class DomainScore(NamedTuple):
    key: str
    title: str
    framework: str
    weight: float
    critical: bool
    claimed: float | None
    level: float | None
    verified: float | None
    controls: int  # scored (applicable) controls


class ProposedFinding(NamedTuple):
    """A control below target, as the model proposes it; the service keeps one `Finding` row per
    `key`, which is stable across re-scoring so the finding is updated, not duplicated."""

    key: str
    framework: str
    control_id: str
    title: str
    description: str
    severity: str
    current_level: float
    target_level: int
    gap: float
    refs: dict[str, list[str]]
    question_keys: tuple[str, ...]
    # Model 2026.2 on: what kind of gap (FINDING_KINDS) and why it has its severity.
    kind: str = "control"
    severity_reason: str = ""


FINDING_KINDS = {
    "control": "Control below target",  # model 2026.1: one finding per control
    "domain": "Domain below target",
    "clause": "Missing contract clause",
    "ai_duty": "Unmet AI Act duty",
    "prohibited": "Prohibited AI practice",
    "evidence": "Evidence expired or rejected",
    "classification": "AI Act classification disagreement",
}


class ClauseJudgement(NamedTuple):
    """One Art. 30 clause of one contract as the model judged it."""

    contract: str
    code: str
    cif_only: bool
    status: str | None  # yes | partly | no | None (not stated)
    source: str  # confirmed | vendor | questionnaire | none


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One scoring run, stored in a `ScoreResult` row's explanation. `overall_maturity` is the
    scored (effective) AIMS maturity; claimed and verified bracket it: claimed >= overall >=
    verified."""

    model_version: str
    as_of: date
    inherent_tier: str
    tier_points: int
    tier_reasons: tuple[str, ...]
    target_maturity: int
    overall_maturity: float
    level_name: str
    mean_maturity: float  # weighted mean of ISO domains before the weakest-link rule
    weakest_critical_domain: str | None
    weakest_link_applied: bool
    claimed_maturity: float
    verified_maturity: float
    residual_basis_maturity: float
    residual_gap: float
    residual_risk: str
    domains: tuple[DomainScore, ...]
    controls: tuple[ControlScore, ...]
    findings: tuple[ProposedFinding, ...]
    warnings: tuple[str, ...]
    # Model 2026.2 on. provisional: the buyer has not reviewed every answer, so levels are the
    # vendor's word as the evidence allows; once reviewed, only verified levels count.
    provisional: bool = False
    residual_reason: str = ""
    clauses: tuple[ClauseJudgement, ...] = ()

    def control(self, key: str) -> ControlScore:
        """The control with this finding key ("iso42001:A.6.2.6")."""
        for control in self.controls:
            if control.key == key:
                return control
        raise KeyError(key)

    def domain(self, key: str) -> DomainScore:
        for domain in self.domains:
            if domain.key == key:
                return domain
        raise KeyError(key)

    def to_json(self) -> dict[str, Any]:
        """A dict of JSON types only (str, int, float, bool, None, list, dict)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            out[f.name] = _dump(getattr(self, f.name))
        out["as_of"] = self.as_of.isoformat()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scorecard:
        return cls(
            model_version=data["model_version"],
            as_of=date.fromisoformat(data["as_of"]),
            inherent_tier=data["inherent_tier"],
            tier_points=data["tier_points"],
            tier_reasons=tuple(data["tier_reasons"]),
            target_maturity=data["target_maturity"],
            overall_maturity=data["overall_maturity"],
            level_name=data["level_name"],
            mean_maturity=data["mean_maturity"],
            weakest_critical_domain=data["weakest_critical_domain"],
            weakest_link_applied=data["weakest_link_applied"],
            claimed_maturity=data["claimed_maturity"],
            verified_maturity=data["verified_maturity"],
            residual_basis_maturity=data["residual_basis_maturity"],
            residual_gap=data["residual_gap"],
            residual_risk=data["residual_risk"],
            domains=tuple(DomainScore(**d) for d in data["domains"]),
            controls=tuple(_load_control(c) for c in data["controls"]),
            findings=tuple(_load_finding(f) for f in data["findings"]),
            warnings=tuple(data["warnings"]),
            provisional=data.get("provisional", False),
            residual_reason=data.get("residual_reason", ""),
            clauses=tuple(ClauseJudgement(**c) for c in data.get("clauses", ())),
        )


def _dump(value: Any) -> Any:
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _dump(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _tuples(value: Any) -> Any:
    """Raw answer values are stored with tuples for lists (see model._raw)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def _load_outcome(data: dict[str, Any]) -> AnswerOutcome:
    evidence = tuple(
        EvidenceNote(
            **{
                **e,
                "valid_until": date.fromisoformat(e["valid_until"]) if e["valid_until"] else None,
            }
        )
        for e in data["evidence"]
    )
    return AnswerOutcome(**{**data, "raw_value": _tuples(data["raw_value"]), "evidence": evidence})


def _load_control(data: dict[str, Any]) -> ControlScore:
    contributions = tuple(_load_outcome(o) for o in data["contributions"])
    return ControlScore(**{**data, "contributions": contributions})


def _load_finding(data: dict[str, Any]) -> ProposedFinding:
    return ProposedFinding(**{**data, "question_keys": tuple(data["question_keys"])})
