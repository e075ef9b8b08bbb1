"""The scoring model: answers → control, domain and overall maturity, risk and findings.

Pure functions. `compile_model` does the per-questionnaire work once (which question informs
which control, which domain each control belongs to); `CompiledModel.score` is the
per-assessment path, one named step per rule group. Every rule is documented in docs/scoring.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from math import floor
from typing import Any

from app.scoring.catalog import FRAMEWORK_LABELS, control_title, normalise_control_id
from app.scoring.config import (
    LEVEL_NAMES,
    UNREVIEWED_EVIDENCE_MAX,
    ScoringConfig,
)
from app.scoring.findings import (
    ai_act_findings,
    clause_findings,
    domain_findings,
    evidence_findings,
    judge_clauses,
    residual,
)
from app.scoring.inputs import (
    FRAMEWORKS,
    REVIEW_STATES,
    AISystemInput,
    AnswerInput,
    ContractInput,
    QuestionSpec,
    RiskProfile,
)
from app.scoring.result import (
    BASES,
    CAP_REASONS,
    AnswerOutcome,
    ControlScore,
    DomainScore,
    EvidenceNote,
    Scorecard,
)
from app.scoring.tiering import inherent_tier

NO_EVIDENCE_RULE = 99  # evidence_required_from_level=None: no level needs evidence
_MISSING = object()
_SCALARS = frozenset({str, int, float, bool})
# Answer values looked up in _Question.without_evidence: exactly str or int, because True == 1
# and 1.0 == 1 would find another value's outcome.
_TEMPLATE_TYPES = frozenset({str, int})
BASIS_RANK = {basis: rank for rank, basis in enumerate(BASES)}  # the weakest basis ranks first


# The results built per answer, evidence file, control and finding (hundreds per assessment) are
# made with the named tuple's `_make`, values in the field order of result.py: keyword arguments
# cost three times as much there and took scoring 10,000 assessments from about 6 s to 16 s
# (docs/scoring.md, Speed). A field added out of order fails the round-trip and rule tests.


def _r2(x: float) -> float:
    """Round half up to 2 decimals; the nudge absorbs float error on exact halves (2.675)."""
    return floor(x * 100 + 0.500001) / 100


def _r1(x: float) -> float:
    """Round half up to 1 decimal (2.25 → 2.3)."""
    return floor(x * 10 + 0.500001) / 10


def _raw(value: Any) -> Any:
    """The answer value as stored in the explanation: JSON types, lists as tuples."""
    if type(value) in _SCALARS or value is None:
        return value
    if isinstance(value, list | tuple):
        return tuple(_raw(v) for v in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted((_raw(v) for v in value), key=repr))
    return str(value)


# One applicable answer's share of its controls' means (rule 4): (weight, weight × claimed,
# weight × effective, weight × verified, BASIS_RANK of its basis when it counted, else None).
Weighted = tuple[float, float, float, float, int | None]
# What scoring one answer gives the later steps: (the outcome for the explanation, its Weighted
# or None when answered "not applicable").
ScoredAnswer = tuple[AnswerOutcome, Weighted | None]


@dataclass(frozen=True, slots=True)
class _Question:
    """A scored question with everything that does not depend on the answer."""

    key: str
    kind: str  # QuestionSpec.kind: maturity, single_choice, yes_no_na or multi_choice
    weight: float
    max_level: int
    levels: Any  # mapping value → level | None, or None for maturity questions
    evidence_from: int  # the lowest level that needs a valid file
    kinds: frozenset[str]  # evidence kinds that count; empty: any
    unanswered: ScoredAnswer  # what an unanswered question scores
    # (value, review state) → the ScoredAnswer of that answer without evidence, which depends
    # on nothing else: most answers carry no file, so they are scored once, at compile time.
    without_evidence: dict[tuple[Any, str], ScoredAnswer] = field(default_factory=dict)

    @property
    def cap_level(self) -> int:
        """What a level at or above `evidence_from` counts without the evidence it needs."""
        return self.evidence_from - 1


def _compile_question(spec: QuestionSpec) -> _Question:
    return _Question(
        key=spec.key,
        kind=spec.kind,
        weight=float(spec.weight),
        max_level=spec.max_level,
        levels=spec.level_for_value,
        evidence_from=spec.evidence_required_from_level or NO_EVIDENCE_RULE,
        kinds=frozenset(spec.evidence_kinds),
        unanswered=_unanswered(spec.key, float(spec.weight)),
    )


def _unanswered(key: str, weight: float) -> ScoredAnswer:
    outcome = AnswerOutcome(
        question_key=key,
        raw_value=None,
        review_state=None,
        weight=weight,
        applicable=True,
        claimed_level=0,
        effective_level=0,
        verified_level=0,
        cap="unanswered",
        cap_reason=CAP_REASONS["unanswered"],
        verified_cap=None,
        basis="self_attested",
        evidence=(),
    )
    return outcome, (weight, 0.0, 0.0, 0.0, None)


def _score_plain_answers(question: _Question) -> None:
    """Fill `question.without_evidence` for every option (or level 0..max) and review state.
    Outcomes are immutable, so sharing them between assessments cannot leak anything."""
    if question.kind == "maturity":
        values: list[Any] = list(range(question.max_level + 1))
    elif question.kind in ("single_choice", "yes_no_na"):
        values = [v for v in question.levels if type(v) in _TEMPLATE_TYPES]
    else:
        return  # multi-choice answers are collections: scored each time
    for value in values:
        for state in sorted(REVIEW_STATES):
            answer = AnswerInput(question_key=question.key, value=value, review_state=state)
            question.without_evidence[value, state] = _score_answer(question, answer, date.min)


@dataclass(frozen=True, slots=True)
class _Control:
    key: str  # finding key, f"{framework}:{control_id}"
    framework: str
    control_id: str
    title: str
    domain: str
    critical: bool
    questions: tuple[int, ...]  # indexes into CompiledModel._questions
    question_keys: tuple[str, ...]
    name: str  # "ISO/IEC 42001 A.6.2.6 AI system operation and monitoring", in finding text


@dataclass(frozen=True, slots=True)
class _Domain:
    key: str
    title: str
    framework: str
    weight: float
    critical: bool
    controls: tuple[tuple[int, float], ...]  # (index into controls, control weight)


# A control's three levels, each a weighted mean rounded to 2 decimals.
Levels = tuple[float, float, float]  # (claimed, effective, verified)


class CompiledModel:
    """A questionnaire prepared for scoring under one config; reuse it for every assessment
    of that questionnaire version."""

    def __init__(self, questions: Sequence[QuestionSpec], config: ScoringConfig) -> None:
        self.config = config
        self._structure = config.structure()
        warnings: list[str] = []
        specs = _scored_specs(questions)
        self._questions = tuple(_compile_question(spec) for spec in specs)
        self._question_keys = frozenset(q.key for q in self._questions)
        for question in self._questions:
            _score_plain_answers(question)
        self._controls = _place_controls(specs, config, warnings)
        self._domains = _domains(self._controls, config)
        # Which controls (by position) make up each domain: fixed by the questionnaire, so the
        # findings need not regroup every assessment's controls.
        members: dict[str, list[int]] = {}
        for position, control in enumerate(self._controls):
            members.setdefault(control.domain, []).append(position)
        self._controls_by_domain = {k: tuple(v) for k, v in members.items()}
        self.warnings = tuple(warnings)

    @property
    def control_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self._controls)

    def score(
        self,
        answers: Sequence[AnswerInput],
        profile: RiskProfile,
        as_of: date | None = None,
        *,
        contracts: Sequence[ContractInput] = (),
        ai_systems: Sequence[AISystemInput] = (),
        declared_classes: Sequence[str] = (),
    ) -> Scorecard:
        """Score one assessment; `as_of` defaults to the config's. `contracts` carry the Art. 30
        clause checklists, `ai_systems` both sides' AI Act classes, `declared_classes` the
        classes the vendor declared in its answers."""
        as_of = as_of or self.config.as_of
        by_key = {a.question_key: a for a in answers}
        if len(by_key) != len(answers):
            raise ValueError("more than one answer for the same question")
        warnings = [*self.warnings, *self._ignored_answers(by_key)]
        scored = self._score_answers(by_key, as_of)
        controls, control_levels = self._control_scores(scored)
        domains = self._domain_scores(control_levels)
        provisional = _provisional(by_key, self._question_keys)

        iso = [d for d in domains if d.framework == "iso42001" and d.level is not None]
        mean, overall, weakest = _overall(iso, "level")
        _, claimed_overall, _ = _overall(iso, "claimed")
        _, verified_overall, _ = _overall(iso, "verified")

        tier = inherent_tier(profile)
        target = self.config.target_by_tier[tier.tier]
        outcomes = {outcome.question_key: outcome for outcome, _ in scored}
        clauses = judge_clauses(contracts, outcomes, provisional=provisional)
        findings = [
            *clause_findings(clauses, contracts),
            *ai_act_findings(controls, ai_systems, declared_classes, provisional=provisional),
            *domain_findings(
                domains,
                controls,
                tier=tier.tier,
                target=target,
                provisional=provisional,
                config=self.config,
                controls_by_domain=self._controls_by_domain,
            ),
            *evidence_findings(controls, tier=tier.tier),
        ]
        residual_basis, residual_gap, residual_risk, residual_reason = residual(
            overall=overall if provisional else verified_overall,
            domains=domains,
            findings=findings,
            tier=tier.tier,
            target=target,
            provisional=provisional,
            config=self.config,
        )

        return Scorecard(
            model_version=self.config.model_version,
            as_of=as_of,
            inherent_tier=tier.tier,
            tier_points=tier.points,
            tier_reasons=tier.reasons,
            target_maturity=target,
            overall_maturity=overall,
            level_name=LEVEL_NAMES[int(overall)],
            mean_maturity=mean,
            weakest_critical_domain=weakest,
            weakest_link_applied=overall < mean,
            claimed_maturity=claimed_overall,
            verified_maturity=verified_overall,
            residual_basis_maturity=residual_basis,
            residual_gap=residual_gap,
            residual_risk=residual_risk,
            domains=tuple(domains),
            controls=tuple(controls),
            findings=tuple(findings),
            warnings=tuple(warnings),
            provisional=provisional,
            residual_reason=residual_reason,
            clauses=clauses,
        )

    def _ignored_answers(self, by_key: dict[str, AnswerInput]) -> list[str]:
        unknown = by_key.keys() - self._question_keys
        return [f"answer to {key!r} ignored: not a scored question" for key in sorted(unknown)]

    def _score_answers(self, by_key: dict[str, AnswerInput], as_of: date) -> list[ScoredAnswer]:
        """Rules 1–3 for every scored question, in order; an answer without evidence is looked
        up among those scored at compile time."""
        scored = []
        for question in self._questions:
            answer = by_key.get(question.key)
            if answer is None or answer.value is None:
                scored.append(question.unanswered)
                continue
            found = None
            if not answer.evidence and type(answer.value) in _TEMPLATE_TYPES:
                found = question.without_evidence.get((answer.value, answer.review_state))
            scored.append(found or _score_answer(question, answer, as_of))
        return scored

    def _control_scores(
        self, scored: list[ScoredAnswer]
    ) -> tuple[list[ControlScore], list[Levels | None]]:
        """Rule 4: each control's levels are the weighted means of its applicable answers
        (None when every answer was "not applicable"); its basis is the weakest of the
        answers that counted."""
        controls = []
        control_levels: list[Levels | None] = []
        for control in self._controls:
            weight_total = claimed_sum = effective_sum = verified_sum = 0.0
            basis = len(BASES) - 1
            counted = False
            contributions = []
            for index in control.questions:
                outcome, weighted = scored[index]
                contributions.append(outcome)
                if weighted is None:  # answered "not applicable"
                    continue
                weight, claimed, effective, verified, answer_basis = weighted
                weight_total += weight
                claimed_sum += claimed
                effective_sum += effective
                verified_sum += verified
                if answer_basis is not None:
                    counted = True
                    if answer_basis < basis:
                        basis = answer_basis
            if weight_total:
                claimed = _r2(claimed_sum / weight_total)
                effective = _r2(effective_sum / weight_total)
                verified = _r2(verified_sum / weight_total)
                levels: Levels | None = (claimed, effective, verified)
            else:
                claimed = effective = verified = None  # type: ignore[assignment]
                levels = None
            if not counted:
                basis = 0  # nothing counted, so nothing backs the level
            control_levels.append(levels)
            controls.append(
                ControlScore._make(
                    (
                        control.key,
                        control.framework,
                        control.control_id,
                        control.title,
                        control.domain,
                        control.critical,
                        claimed,
                        effective,
                        verified,
                        BASES[basis],
                        tuple(contributions),
                    )
                )
            )
        return controls, control_levels

    def _domain_scores(self, control_levels: list[Levels | None]) -> list[DomainScore]:
        """Rule 5: each domain's levels are the weighted means of its scored controls."""
        domains = []
        for domain in self._domains:
            weight_total = claimed_sum = effective_sum = verified_sum = 0.0
            scored_controls = 0
            for index, weight in domain.controls:
                levels = control_levels[index]
                if levels is None:
                    continue
                claimed, effective, verified = levels
                scored_controls += 1
                weight_total += weight
                claimed_sum += weight * claimed
                effective_sum += weight * effective
                verified_sum += weight * verified
            domains.append(
                DomainScore(
                    key=domain.key,
                    title=domain.title,
                    framework=domain.framework,
                    weight=domain.weight,
                    critical=domain.critical,
                    claimed=_r2(claimed_sum / weight_total) if scored_controls else None,
                    level=_r2(effective_sum / weight_total) if scored_controls else None,
                    verified=_r2(verified_sum / weight_total) if scored_controls else None,
                    controls=scored_controls,
                )
            )
        return domains


def _scored_specs(questions: Sequence[QuestionSpec]) -> list[QuestionSpec]:
    """The questions that turn into a level, refusing a key given twice."""
    seen: set[str] = set()
    for spec in questions:
        if spec.key in seen:
            raise ValueError(f"duplicate question key {spec.key!r}")
        seen.add(spec.key)
    return [spec for spec in questions if spec.scores]


def _place_controls(
    specs: list[QuestionSpec], config: ScoringConfig, warnings: list[str]
) -> tuple[_Control, ...]:
    """Every control the questions refer to, in its domain, sorted by domain and natural id;
    a control in no domain (or of an unknown framework) is left out with a warning."""
    questions_of: dict[tuple[str, str], list[int]] = {}
    critical: set[tuple[str, str]] = set()
    for index, spec in enumerate(specs):
        for framework, ids in spec.refs.items():
            if framework not in FRAMEWORKS:
                warnings.append(f"{spec.key}: unknown framework {framework!r} ignored")
                continue
            for raw_id in ids:
                control = (framework, normalise_control_id(framework, raw_id))
                indexes = questions_of.setdefault(control, [])
                if index not in indexes:
                    indexes.append(index)
                if spec.critical:
                    critical.add(control)

    domain_order = {d.key: i for i, d in enumerate(config.domains)}
    placed: list[tuple[int, tuple[Any, ...], _Control]] = []
    for (framework, control_id), indexes in questions_of.items():
        key = f"{framework}:{control_id}"
        domain = next((d for d in config.domains if d.matches(framework, control_id)), None)
        if domain is None:
            warnings.append(f"{key} is in no scoring domain and is not scored")
            continue
        title = control_title(framework, control_id)
        name = f"{FRAMEWORK_LABELS[framework]} {control_id}" + (f" {title}" if title else "")
        control = _Control(
            key=key,
            framework=framework,
            control_id=control_id,
            title=title,
            domain=domain.key,
            critical=(framework, control_id) in critical,
            questions=tuple(indexes),
            question_keys=tuple(specs[i].key for i in indexes),
            name=name,
        )
        placed.append((domain_order[domain.key], _natural(control_id), control))
    placed.sort(key=lambda p: (p[0], p[1]))
    return tuple(control for _, _, control in placed)


def _domains(controls: tuple[_Control, ...], config: ScoringConfig) -> tuple[_Domain, ...]:
    domains = []
    for spec in config.domains:
        members = tuple(
            (i, float(config.control_weights.get(c.key, 1.0)))
            for i, c in enumerate(controls)
            if c.domain == spec.key
        )
        domains.append(
            _Domain(
                key=spec.key,
                title=spec.title,
                framework=spec.framework,
                weight=spec.weight,
                critical=any(controls[i].critical for i, _ in members),
                controls=members,
            )
        )
    return tuple(domains)


def _claimed(question: _Question, value: Any) -> tuple[int, bool, bool]:
    """Rule 1: (claimed level, applicable, invalid) for an answer's value."""
    if question.kind == "maturity":
        if isinstance(value, int) and not isinstance(value, bool):
            return min(max(value, 0), question.max_level), True, False
        return 0, True, True
    if question.kind in ("single_choice", "yes_no_na"):
        if isinstance(value, bool):
            value = "yes" if value else "no"
        level = question.levels.get(value, _MISSING) if isinstance(value, str | int) else _MISSING
        if level is _MISSING:
            return 0, True, True
        if level is None:
            return 0, False, False
        return level, True, False
    # multi_choice: the chosen options' levels add up, capped at the question's maximum
    if not isinstance(value, list | tuple | set | frozenset):
        return 0, True, True
    total, any_level, unknown = 0, False, False
    for option in set(value):
        level = question.levels.get(option, _MISSING)
        if level is _MISSING:
            unknown = True
        elif level is not None:
            total += level
            any_level = True
    if value and not any_level and not unknown:
        return 0, False, False  # only "not applicable" options chosen
    return min(total, question.max_level), True, unknown and not any_level


def _score_answer(question: _Question, answer: AnswerInput, as_of: date) -> ScoredAnswer:
    """Rules 1–3 for one answer: the claimed level, the evidence and review caps, the basis."""
    value = answer.value
    if isinstance(value, bool) and question.kind in ("single_choice", "yes_no_na"):
        value = "yes" if value else "no"  # the explanation records the option it counted as
    claimed, applicable, invalid = _claimed(question, value)

    # Rule 2: which files count (not rejected, not past their valid-until date).
    notes = []
    has_valid = has_accepted = saw_rejected = saw_expired = saw_wrong_kind = False
    kinds = question.kinds
    for evidence in answer.evidence:
        if kinds and evidence.kind not in kinds:
            counted, reason, saw_wrong_kind = False, "wrong_kind", True
        elif evidence.status == "rejected":
            counted, reason, saw_rejected = False, "rejected", True
        elif evidence.valid_until is not None and evidence.valid_until < as_of:
            counted, reason, saw_expired = False, "expired", True
        else:
            counted, reason, has_valid = True, evidence.status, True
            has_accepted = has_accepted or evidence.status == "accepted"
        notes.append(
            EvidenceNote._make(
                (
                    evidence.evidence_id,
                    evidence.sha256,
                    evidence.status,
                    evidence.valid_until,
                    counted,
                    reason,
                    evidence.kind,
                )
            )
        )

    # Rule 2: the effective and verified levels (the evidence and review caps); then rule 3.
    state = answer.review_state
    needs_evidence = claimed >= question.evidence_from
    verified_cap = None
    if state == "rejected":
        applicable = True
        effective = verified = 0
        cap: str | None = "answer_rejected"
    else:
        effective = claimed
        cap = "invalid_value" if invalid else None
        if needs_evidence and not has_valid:
            effective = question.cap_level
            if saw_expired:
                cap = "evidence_expired"
            elif saw_rejected:
                cap = "evidence_rejected"
            elif saw_wrong_kind:
                cap = "evidence_wrong_kind"
            else:
                cap = "evidence_missing"
        elif needs_evidence and not has_accepted and effective > UNREVIEWED_EVIDENCE_MAX:
            effective = max(UNREVIEWED_EVIDENCE_MAX, question.cap_level)
            cap = "evidence_unreviewed"
        if state != "accepted":
            verified = 0
            if effective > 0:
                verified_cap = "not_accepted"
        elif needs_evidence and not has_accepted:
            verified = question.cap_level
            if verified < effective:
                verified_cap = "evidence_not_accepted"
        else:
            verified = effective
    if not has_valid:
        basis = "self_attested"
    elif state == "accepted" and has_accepted:
        basis = "evidence_accepted"
    else:
        basis = "evidence_provided"
    cap_reason = CAP_REASONS[cap] if cap else None
    outcome = AnswerOutcome._make(
        (
            question.key,
            value if type(value) in _SCALARS else _raw(value),
            state,
            question.weight,
            applicable,
            claimed,
            effective,
            verified,
            cap,
            cap_reason,
            verified_cap,
            basis,
            tuple(notes),
        )
    )
    if not applicable:
        return outcome, None
    weight = question.weight
    rank = BASIS_RANK[basis] if effective > 0 else None
    weighted = (weight, weight * claimed, weight * effective, weight * verified, rank)
    return outcome, weighted


def _overall(domains: list[DomainScore], attr: str) -> tuple[float, float, str | None]:
    """Rule 6: (weighted mean, mean after the weakest-link rule, weakest critical domain),
    one decimal."""
    if not domains:
        return 0.0, 0.0, None
    weight_total = sum(d.weight for d in domains)
    mean = sum(d.weight * getattr(d, attr) for d in domains) / weight_total
    capped = mean
    weakest = None
    critical = [(getattr(d, attr), d.key) for d in domains if d.critical]
    if critical:
        weakest_value, weakest = min(critical)  # lowest level; ties go to the first key
        capped = min(mean, weakest_value + 1.0)
    return _r1(mean), _r1(capped), weakest


def _provisional(by_key: dict[str, AnswerInput], scored_keys: frozenset[str]) -> bool:
    """Provisional until the buyer has accepted or rejected every answered scored question."""
    answered = [a for k, a in by_key.items() if k in scored_keys and a.value is not None]
    return not answered or any(a.review_state not in ("accepted", "rejected") for a in answered)


def _natural(control_id: str) -> tuple[Any, ...]:
    """Sort "A.6.2.10" after "A.6.2.9" and "Art. 30(10)" after "Art. 30(9)"."""
    parts: list[Any] = []
    token = ""
    for ch in control_id + ".":
        if ch.isdecimal():
            token += ch
            continue
        if token:
            parts.append((0, int(token), ""))
            token = ""
        if ch not in ". ()":
            parts.append((1, 0, ch))
    return tuple(parts)


def claimed_level(spec: QuestionSpec, value: Any) -> int | None:
    """The level the vendor claims with `value` (rule 1), or None when it means "not
    applicable" or the question is not scored. The same code path as scoring, so pages that
    show a level can never disagree with the score."""
    if not spec.scores:
        return None
    if value is None:
        return 0
    claimed, applicable, _ = _claimed(_compile_question(spec), value)
    return claimed if applicable else None


def answer_outcome(spec: QuestionSpec, answer: AnswerInput, as_of: date) -> AnswerOutcome:
    """How one answer turns into levels (rules 1–3: claimed, effective, verified, caps), by the
    code path the score uses, so the reviewer's figures can never disagree with the score."""
    return _score_answer(_compile_question(spec), answer, as_of)[0]


def compile_model(questions: Sequence[QuestionSpec], config: ScoringConfig) -> CompiledModel:
    """Prepare a questionnaire version for repeated scoring under `config`."""
    return CompiledModel(questions, config)


def score_assessment(
    questions: Sequence[QuestionSpec] | CompiledModel,
    answers: Iterable[AnswerInput],
    profile: RiskProfile,
    config: ScoringConfig,
    *,
    contracts: Sequence[ContractInput] = (),
    ai_systems: Sequence[AISystemInput] = (),
    declared_classes: Sequence[str] = (),
) -> Scorecard:
    """Score one assessment. Pass a CompiledModel (built with the same config, any as_of) to
    skip the per-questionnaire work; evidence expiry always uses `config.as_of`."""
    if isinstance(questions, CompiledModel):
        model = questions
        if model.config is not config and model._structure != config.structure():
            raise ValueError("the compiled model was built with a different scoring config")
    else:
        model = CompiledModel(questions, config)
    if not isinstance(answers, Sequence):
        answers = tuple(answers)
    return model.score(
        answers,
        profile,
        config.as_of,
        contracts=contracts,
        ai_systems=ai_systems,
        declared_classes=declared_classes,
    )
