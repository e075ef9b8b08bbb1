"""Findings a risk owner can act on (docs/scoring.md rules 9–14), and the residual risk they
and the domain levels give. Pure: works on the model's control and domain scores.

One finding per vendor and per actionable gap, each with a key that is stable across re-scoring:

| gap | key |
|---|---|
| a maturity domain below target (its weak controls listed) | `gap:<domain key>` |
| an Art. 30 clause missing or partial in a contract | `dora:<clause code>` |
| the unmet duties of a high-risk AI system (listed inside) | `ai_act:high_risk:<system>` |
| a prohibited AI practice | `ai_act:prohibited` |
| expired or rejected evidence on a critical question | `evidence:<question key>` |
| the buyer and the vendor classify an AI system differently | `ai_act:classification:<system>` |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import floor
from typing import Any

from app.scoring.catalog import FRAMEWORK_LABELS
from app.scoring.clauses import CLAUSE_BY_CODE, applicable_clauses, status_from_level
from app.scoring.config import (
    CLAUSE_DOMAIN,
    CRITICAL_DOMAIN_LEVEL,
    CRITICAL_DUTIES,
    DEFAULT_FINDING_SEVERITY,
    DUTY_DOMAIN,
    DUTY_LEVEL,
    PROVISIONAL_RESIDUAL_FLOOR,
    RATINGS,
    UNREVIEWED_EVIDENCE_MAX,
    ScoringConfig,
    gap_band,
)
from app.scoring.inputs import AISystemInput, ContractInput
from app.scoring.result import (
    AnswerOutcome,
    ClauseJudgement,
    ControlScore,
    DomainScore,
    ProposedFinding,
)

NOT_JUDGED_BY_MEAN = frozenset({CLAUSE_DOMAIN, DUTY_DOMAIN})
AIMS_CLAUSE_DOMAINS = frozenset(f"iso42001:{n}" for n in range(4, 11))
AIMS_FINDING = "iso42001:clauses"
AIMS_TITLE = "AI management system (clauses 4–10)"
EVIDENCE_CAPS = ("evidence_expired", "evidence_rejected")
_RANK = {rating: i for i, rating in enumerate(RATINGS)}


def judged(level: float | None, verified: float | None, provisional: bool) -> float | None:
    """The level findings and residual risk stand on: the verified level once the buyer has
    reviewed, until then the (provisional) effective level."""
    return level if provisional else verified


def _r1_half_up(level: float, digits: int) -> float:
    """Round half up to `digits` decimals (3.5 → 4 at 0 digits)."""
    scale = 10**digits
    return floor(level * scale + 0.500001) / scale


def _one_decimal(level: float) -> str:
    """Half up, as every level the model shows (1.25 → "1.3")."""
    return f"{floor(level * 10 + 0.500001) / 10:.1f}"


def worst(ratings: Sequence[str]) -> str | None:
    return max(ratings, key=_RANK.__getitem__) if ratings else None


def _finding(**fields: Any) -> ProposedFinding:
    fields.setdefault("current_level", None)
    fields.setdefault("target_level", None)
    fields.setdefault("gap", 0.0)
    fields.setdefault("question_keys", ())
    return ProposedFinding(**fields)


def domain_findings(
    domains: Sequence[DomainScore],
    controls: Sequence[ControlScore],
    *,
    tier: str,
    target: int,
    provisional: bool,
    config: ScoringConfig,
    controls_by_domain: Mapping[str, Sequence[int]] | None = None,
) -> list[ProposedFinding]:
    """Rule 9: one finding per maturity domain below target, listing its weak controls. A domain
    is below target when its level, rounded half up to a whole level, is below the target; while
    the score is provisional the target counts at most 3, the highest level unreviewed evidence
    supports (a gap only the buyer's review can close is not the vendor's to act on).

    Severity: DEFAULT_FINDING_SEVERITY by tier and gap band, one step worse when a control below
    target in it is critical, never above high; critical only for a critical-tier vendor whose
    domain stands at 1 or less.
    """
    findings: list[ProposedFinding] = []
    required = min(target, UNREVIEWED_EVIDENCE_MAX) if provisional else target
    # The domains below target, gathered into their finding: the AIMS clauses 4–10 are one
    # management system, so its weak clauses make one finding, each Annex A group one of its own.
    units: dict[str, list[tuple[DomainScore, float]]] = {}
    for domain in domains:
        if domain.key in NOT_JUDGED_BY_MEAN:
            continue
        level = judged(domain.level, domain.verified, provisional)
        if level is None or _r1_half_up(level, 0) >= required:
            continue
        unit = AIMS_FINDING if domain.key in AIMS_CLAUSE_DOMAINS else domain.key
        units.setdefault(unit, []).append((domain, level))
    if not units:
        return findings
    by_domain: dict[str, list[ControlScore]] = {}
    if controls_by_domain is not None:  # the compiled model's grouping, positions in `controls`
        for unit_members in units.values():
            for member, _ in unit_members:
                by_domain[member.key] = [controls[i] for i in controls_by_domain[member.key]]
    else:
        for control in controls:
            by_domain.setdefault(control.domain, []).append(control)
    for unit, members in units.items():
        domain, level = min(members, key=lambda m: m[1])
        title = AIMS_TITLE if unit == AIMS_FINDING else domain.title
        gap = round(target - level, 2)
        band = gap_band(gap)
        weak = []
        for member, _ in members:
            for control in by_domain.get(member.key, ()):
                control_level = judged(control.level, control.verified, provisional)
                if control_level is not None and control_level < target:
                    weak.append((control, control_level))
        severity = DEFAULT_FINDING_SEVERITY[tier][band]
        steps = f"a {band} gap ({gap:.2f}) at a {tier}-tier vendor gives {severity}"
        critical_weak = [c.control_id for c, _ in weak if c.critical]
        if critical_weak and severity != "critical":
            severity = RATINGS[min(_RANK[severity] + 1, len(RATINGS) - 1)]
            steps += (
                f", one step more ({severity}): critical control {critical_weak[0]} is below target"
            )
        if tier == "critical" and level <= CRITICAL_DOMAIN_LEVEL:
            severity = "critical"
            reason = (
                f"critical because the vendor is critical-tier and the domain stands at "
                f"{level:.2f} ({'provisional' if provisional else 'verified'}), 1 or less"
            )
        elif severity == "critical":
            severity = "high"
            reason = (
                f"high because {steps}, capped at high: a domain gap is critical only at a "
                "critical-tier vendor whose domain stands at 1 or less"
            )
        else:
            reason = f"{severity} because {steps}"
        weak_text = "; ".join(
            f"{control.control_id}{' ' + control.title if control.title else ''} at "
            f"{control_level:.2f}{' (critical)' if control.critical else ''}"
            for control, control_level in weak
        )
        basis = "provisional (not yet reviewed)" if provisional else "verified"
        label = FRAMEWORK_LABELS.get(domain.framework, domain.framework)
        findings.append(
            _finding(
                key=f"gap:{unit}",
                framework=domain.framework,
                control_id=unit.split(":", 1)[1],
                title=f"{title}: maturity {_one_decimal(level)}, target {target}"
                if title.startswith(("DORA", "AI Act"))
                else f"{label} {title}: maturity {_one_decimal(level)}, target {target}",
                description=(
                    f"{title} stands at {level:.2f} ({basis}), below the target of "
                    f"{target} for a {tier}-tier vendor (gap {gap:.2f}). Weak controls: "
                    f"{weak_text or 'none below target on their own'}."
                ),
                severity=severity,
                current_level=level,
                target_level=target,
                gap=gap,
                refs={domain.framework: [c.control_id for c, _ in weak]},
                question_keys=tuple(
                    dict.fromkeys(o.question_key for c, _ in weak for o in c.contributions)
                ),
                kind="domain",
                severity_reason=reason,
            )
        )
    return findings


def judge_clauses(
    contracts: Sequence[ContractInput],
    outcomes: dict[str, AnswerOutcome],
    *,
    provisional: bool,
) -> tuple[ClauseJudgement, ...]:
    """Rule 10: every applicable clause of every contract, yes / partly / no / not stated.

    The reviewer's confirmation wins; else the vendor's checklist entry; else its answer to the
    contract question on the same clause (the level that counts: verified once reviewed)."""
    judgements = []
    for contract in contracts:
        stated = {s.code: s for s in contract.clauses}
        for clause in applicable_clauses(contract.supports_critical_function):
            statement = stated.get(clause.code)
            if statement is not None and statement.confirmed_status:
                status, source = statement.confirmed_status, "confirmed"
            elif statement is not None and statement.vendor_status:
                status, source = statement.vendor_status, "vendor"
            elif (outcome := outcomes.get(clause.question_key)) is not None and (
                outcome.review_state is not None
            ):
                level = outcome.effective_level if provisional else outcome.verified_level
                if not outcome.applicable:
                    level = 0
                status, source = status_from_level(level), "questionnaire"
            else:
                status, source = None, "none"
            judgements.append(
                ClauseJudgement(contract.reference, clause.code, clause.cif_only, status, source)
            )
    return tuple(judgements)


def clause_findings(
    judgements: Sequence[ClauseJudgement], contracts: Sequence[ContractInput]
) -> list[ProposedFinding]:
    """Rule 10: one finding per clause that some contract lacks (whatever the tier).

    Missing or not stated on a contract supporting a critical or important function: critical;
    missing elsewhere, or partly there on such a contract: high; partly elsewhere: medium."""
    cif = {c.reference: c.supports_critical_function for c in contracts}
    gaps: dict[str, list[ClauseJudgement]] = {}
    for judgement in judgements:
        if judgement.status != "yes":
            gaps.setdefault(judgement.code, []).append(judgement)
    findings = []
    for code, lacking in gaps.items():
        clause = CLAUSE_BY_CODE[code]
        ratings = []
        for j in lacking:
            missing = j.status in (None, "no")
            if cif[j.contract]:
                ratings.append("critical" if missing else "high")
            else:
                ratings.append("high" if missing else "medium")
        severity = worst(ratings) or "medium"
        first = lacking[ratings.index(severity)]
        state = "partly in" if first.status == "partly" else "missing from"
        if first.status is None:
            state = "not stated for"
        where = (
            "a contract supporting a critical or important function"
            if cif[first.contract]
            else "an ICT contract"
        )
        reason = f"{severity} because the mandatory clause is {state} {where} ({first.contract})"
        listing = "; ".join(f"{j.contract}: {_status_words(j)}" for j in lacking)
        findings.append(
            _finding(
                key=f"dora:{code}",
                framework="dora",
                control_id=code,
                title=f"DORA {code} {clause.title}: clause {state} the contract",
                description=(
                    f"DORA {code} requires the contract to include: {clause.text} "
                    f"Contracts lacking it: {listing}."
                ),
                severity=severity,
                refs={"dora": [code]},
                question_keys=(clause.question_key,),
                kind="clause",
                severity_reason=reason,
            )
        )
    return findings


def _status_words(judgement: ClauseJudgement) -> str:
    status = judgement.status or "not stated"
    source = {
        "confirmed": "confirmed by our reviewer",
        "vendor": "vendor's checklist, not yet confirmed",
        "questionnaire": "vendor's questionnaire answer",
        "none": "no statement",
    }[judgement.source]
    return f"{status} ({source})"


def high_risk_systems(
    ai_systems: Sequence[AISystemInput], declared: Sequence[str]
) -> list[tuple[str | None, bool]]:
    """(name, the buyer classifies it high-risk) of each system either side calls high-risk; a
    vendor declaring high-risk in its answers without naming a system gives (None, False)."""
    systems = [
        (s.name, s.buyer_class == "high")
        for s in ai_systems
        if s.buyer_class == "high" or "high" in s.vendor_classes
    ]
    if not systems and "high" in declared:
        systems.append((None, False))
    return systems


def duty_findings(
    controls: Sequence[ControlScore],
    ai_systems: Sequence[AISystemInput],
    declared: Sequence[str],
    *,
    provisional: bool,
) -> list[ProposedFinding]:
    """Rule 11: one finding per high-risk system (key `ai_act:high_risk:<system>`) listing the
    high-risk duties not met, as a domain finding lists its weak controls. Critical when the
    buyer classifies the system high-risk and an Art. 9–17 or Art. 26 duty is among them."""
    unmet: list[tuple[ControlScore, float]] = []
    for control in controls:
        if control.domain != DUTY_DOMAIN:
            continue
        level = judged(control.level, control.verified, provisional)
        if level is not None and level < DUTY_LEVEL:
            unmet.append((control, level))
    if not unmet:
        return []
    basis = "provisional" if provisional else "verified"
    listed = "; ".join(
        f"{c.control_id}{' ' + c.title if c.title else ''} at {level:.2f}" for c, level in unmet
    )
    core = [c.control_id for c, _ in unmet if c.control_id in CRITICAL_DUTIES]
    findings = []
    for name, ours in high_risk_systems(ai_systems, declared):
        who = "our classification" if ours else "the vendor's own classification"
        called = name or "the system the vendor declares high-risk"
        if ours and core:
            severity = "critical"
            reason = (
                f"critical because {called} is high-risk by our classification and its "
                f"core duties (Art. 9–17, 26) {', '.join(core)} are not met"
            )
        else:
            severity = "high"
            reason = f"high: unmet duties of a system high-risk by {who}"
        lowest = min(level for _, level in unmet)
        findings.append(
            _finding(
                key=f"ai_act:high_risk:{name}"[:120] if name else "ai_act:high_risk",
                framework="ai_act",
                control_id=unmet[0][0].control_id,
                title=(
                    f"EU AI Act high-risk duties of {called}: {len(unmet)} not met "
                    f"({', '.join(c.control_id for c, _ in unmet)})"
                )[:300],
                description=(
                    f"{called} is high-risk by {who}, so the duties of high-risk systems apply; "
                    f"a duty counts as met from level {DUTY_LEVEL}, documented and "
                    f"communicated. Not met ({basis}): {listed}."
                ),
                severity=severity,
                current_level=lowest,
                target_level=DUTY_LEVEL,
                gap=round(DUTY_LEVEL - lowest, 2),
                refs={"ai_act": [c.control_id for c, _ in unmet]},
                question_keys=tuple(
                    dict.fromkeys(o.question_key for c, _ in unmet for o in c.contributions)
                ),
                kind="ai_duty",
                severity_reason=reason,
            )
        )
    return findings


def ai_act_findings(
    controls: Sequence[ControlScore],
    ai_systems: Sequence[AISystemInput],
    declared: Sequence[str],
    *,
    provisional: bool,
) -> list[ProposedFinding]:
    """Rules 11–13: unmet high-risk duties, prohibited practices, classification disagreements."""
    findings = duty_findings(controls, ai_systems, declared, provisional=provisional)
    prohibited = [
        s.name
        for s in ai_systems
        if s.buyer_class == "prohibited" or "prohibited" in s.vendor_classes
    ]
    if prohibited or "prohibited" in declared:
        names = ", ".join(prohibited) or "a system the vendor declares"
        findings.append(
            _finding(
                key="ai_act:prohibited",
                framework="ai_act",
                control_id="Art. 5",
                title="EU AI Act Art. 5: prohibited AI practice declared or suspected",
                description=(
                    f"{names} is classified as a prohibited practice by the vendor or by us. "
                    "Art. 5 practices are banned; the relationship needs a recorded decision "
                    "(proceed with justification, or exit), not remediation of a maturity gap."
                ),
                severity="critical",
                refs={"ai_act": ["Art. 5"]},
                kind="prohibited",
                severity_reason="critical because a prohibited practice (AI Act Art. 5) is "
                "banned outright",
            )
        )
    for system in ai_systems:
        buyer = system.buyer_class
        vendor = set(system.vendor_classes) | set(declared)
        if buyer in (None, "unknown") or not vendor or buyer in vendor:
            continue
        serious = buyer in ("high", "prohibited")
        stated = ", ".join(sorted(vendor))
        findings.append(
            _finding(
                key=f"ai_act:classification:{system.name}"[:120],
                framework="ai_act",
                control_id="Art. 6",
                title=f"AI Act classification of {system.name}: we say {buyer}, vendor says "
                f"{stated}",
                description=(
                    f"We classify {system.name} as {buyer}; the vendor states {stated}. "
                    "Agree the classification with the vendor: the duties that apply follow it "
                    "(high-risk duties are judged when either side says high-risk)."
                ),
                severity="high" if serious else "medium",
                refs={"ai_act": ["Art. 6"]},
                kind="classification",
                severity_reason=(
                    f"{'high' if serious else 'medium'}: the vendor's word would "
                    f"{'hide duties of a ' + buyer + ' system' if serious else 'change the duties'}"
                ),
            )
        )
    return findings


def evidence_findings(controls: Sequence[ControlScore], *, tier: str) -> list[ProposedFinding]:
    """Rule 14: a critical question whose only evidence expired or was rejected."""
    seen: dict[str, tuple[AnswerOutcome, ControlScore]] = {}
    for control in controls:
        if not control.critical:
            continue
        for outcome in control.contributions:
            if outcome.cap in EVIDENCE_CAPS and outcome.question_key not in seen:
                seen[outcome.question_key] = (outcome, control)
    severity = "high" if tier in ("critical", "high") else "medium"
    findings = []
    for key, (outcome, control) in seen.items():
        what = "expired" if outcome.cap == "evidence_expired" else "was rejected"
        findings.append(
            _finding(
                key=f"evidence:{key}"[:120],
                framework=control.framework,
                control_id=control.control_id,
                title=f"Evidence {what} for {key} (critical control {control.control_id})",
                description=(
                    f"The vendor claims level {outcome.claimed_level} for {key}, but its evidence "
                    f"{what}, so it counts {outcome.effective_level}. Ask for current evidence."
                ),
                severity=severity,
                current_level=float(outcome.effective_level),
                gap=float(outcome.claimed_level - outcome.effective_level),
                refs={control.framework: [control.control_id]},
                question_keys=(key,),
                kind="evidence",
                severity_reason=f"{severity}: evidence on a critical control at a {tier}-tier "
                "vendor",
            )
        )
    return findings


def residual(
    *,
    overall: float,
    domains: Sequence[DomainScore],
    findings: Sequence[ProposedFinding],
    tier: str,
    target: int,
    provisional: bool,
    config: ScoringConfig,
) -> tuple[float, float, str, str]:
    """Rule 8: (basis, gap, residual risk, reason). The basis is the overall AIMS maturity or a
    lower DORA / AI Act maturity domain; the matrix gives the rating, a high or critical
    finding raises it to its own severity, and a provisional score is never below medium."""
    basis = overall
    for domain in domains:
        if domain.framework == "iso42001" or domain.key in NOT_JUDGED_BY_MEAN:
            continue
        level = judged(domain.level, domain.verified, provisional)
        if level is not None and level < basis:
            basis = level
    gap = max(0.0, round(target - basis, 2))
    rating = config.residual_matrix[tier][gap_band(gap)]
    reason = f"{rating}: maturity {basis:.2f} against a target of {target} ({tier} tier)"
    serious = worst([f.severity for f in findings if f.severity in ("high", "critical")])
    if serious and _RANK[serious] > _RANK[rating]:
        rating = serious
        reason = f"{serious}: the vendor has a {serious} finding"
    floor_rank = _RANK[PROVISIONAL_RESIDUAL_FLOOR]
    if provisional and _RANK[rating] < floor_rank:
        reason = (
            f"{PROVISIONAL_RESIDUAL_FLOOR} while provisional: we have not reviewed every answer, "
            f"and unreviewed evidence cannot show a lower risk (reviewed, it would stand on "
            f"the verified levels; on the vendor's word it reads {rating})"
        )
        rating = PROVISIONAL_RESIDUAL_FLOOR
    return basis, gap, rating, reason
