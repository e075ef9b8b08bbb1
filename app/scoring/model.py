"""The scoring model: answers → control, domain and overall maturity, risk and findings.

Pure functions. `compile_model` does the per-questionnaire work once (which question informs
which control, which domain each control belongs to); `CompiledModel.score` is the lean
per-assessment path. Every rule is documented in docs/scoring.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from math import floor
from typing import Any, NamedTuple

from app.scoring.catalog import (
    FRAMEWORK_LABELS,
    control_title,
    normalise_control_id,
)
from app.scoring.config import GAP_BANDS, LEVEL_NAMES, RATINGS, TIERS, ScoringConfig, gap_band
from app.scoring.inputs import (
    FRAMEWORKS,
    REVIEW_STATES,
    AnswerInput,
    QuestionSpec,
    VendorProfile,
)
from app.scoring.result import (
    BASES,
    CAP_REASONS,
    AnswerOutcome,
    ControlScore,
    DomainScore,
    EvidenceNote,
    Finding,
    ScoreResult,
)
from app.scoring.tiering import inherent_tier

_MATURITY, _CHOICE, _MULTI = 0, 1, 2
_KIND_CODES = {"maturity": _MATURITY, "single_choice": _CHOICE, "yes_no_na": _CHOICE}
_KIND_CODES["multi_choice"] = _MULTI
_NO_EVIDENCE_RULE = 99  # evidence_required_from_level=None: no level needs evidence
_MISSING = object()
_SCALARS = frozenset({str, int, float, bool})
_TEMPLATE_TYPES = frozenset({str, int})  # answer values looked up in _Question.without_evidence
_BASIS_RANK = {b: i for i, b in enumerate(BASES)}

# The result types are NamedTuples, whose generated __new__ is a Python function taking keyword
# arguments; the per-assessment path builds hundreds of them, so it calls tuple.__new__ with the
# fields in declaration order instead (about 3x cheaper, the same tuple). Keep the field order
# comments next to each call in step with result.py.
_new = tuple.__new__


def _r2(x: float) -> float:
    """Round half up to 2 decimals; the nudge absorbs float error on exact halves (2.675)."""
    return floor(x * 100 + 0.500001) / 100


def _r1(x: float) -> float:
    """Round half up to 1 decimal (2.25 → 2.3)."""
    return floor(x * 10 + 0.500001) / 10


# Every control level is a whole hundredth from 0 to 5 (_r2 returns k / 100), so what a
# finding derives from its level alone (gap, severity, the numbers' text) is tabulated per tier
# at compile time by the same function that serves any other value (see _FindingNumbers).
_HUNDREDTHS = [k / 100 for k in range(501)]


def _raw(value: Any) -> Any:
    """The answer value as stored in the explanation: JSON types, lists as tuples."""
    if type(value) in _SCALARS or value is None:
        return value
    if isinstance(value, list | tuple):
        return tuple(_raw(v) for v in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted((_raw(v) for v in value), key=repr))
    return str(value)


# What _score_answer returns for one question: the outcome, its weighted levels for the control
# means (weight, weight × claimed, × effective, × verified, basis index when it counted) or
# None when the answer is "not applicable", and its clause in finding text ("q1 at level 3").
_Terms = tuple[float, float, float, float, int | None]
_Scored = tuple[AnswerOutcome, _Terms | None, str]


@dataclass(frozen=True, slots=True)
class _Question:
    key: str
    kind: int
    weight: float
    max_level: int
    levels: Any  # mapping value → level | None, or None for maturity questions
    evidence_from: int
    cap_level: int  # what a level at or above evidence_from counts without evidence
    unanswered: _Scored  # the constant result of _score_answer when there is no answer
    # Finding text for the two answer outcomes that need no numbers from the answer:
    not_applicable_text: str  # "q1 answered not applicable"
    level_texts: tuple[str, ...]  # "q1 at level 3" for the int levels 0..max_level
    # (value, review state) → _score_answer's result for an answer with no evidence, which
    # depends on nothing else; filled in by _with_templates for every option (or level 0..max).
    without_evidence: dict[tuple[Any, str], _Scored]


def _compile_question(spec: QuestionSpec) -> _Question:
    """Everything about a scored question that does not depend on the answer."""
    evidence_from = spec.evidence_required_from_level or _NO_EVIDENCE_RULE
    weight = float(spec.weight)
    unanswered = AnswerOutcome(
        spec.key, None, None, weight, True, 0, 0, 0,
        "unanswered", CAP_REASONS["unanswered"], None, "self_attested", (),
    )  # fmt: skip
    unanswered_reason = f"{spec.key} claimed 0, counted 0: {CAP_REASONS['unanswered']}"
    return _Question(
        key=spec.key,
        kind=_KIND_CODES[spec.kind],
        weight=float(spec.weight),
        max_level=spec.max_level,
        levels=spec.level_for_value,
        evidence_from=evidence_from,
        cap_level=evidence_from - 1,
        unanswered=(
            unanswered,
            (weight, weight * 0, weight * 0, weight * 0, None),
            unanswered_reason,
        ),
        not_applicable_text=f"{spec.key} answered not applicable",
        level_texts=tuple(f"{spec.key} at level {n}" for n in range(spec.max_level + 1)),
        without_evidence={},
    )


def _with_templates(q: _Question) -> _Question:
    """Score every plain answer without evidence once, at compile time: most answers carry no
    file, and for those the outcome is a constant of the question, the value and the review
    state. Values whose type is not exactly str or int (True == 1, 1.0 == 1) are never looked
    up, so they keep going through _score_answer. Outcomes are immutable, so sharing them
    between assessments cannot leak anything from one to the next."""
    if q.kind == _MATURITY:
        values: list[Any] = list(range(q.max_level + 1))
    elif q.kind == _CHOICE:
        values = [v for v in q.levels if type(v) in _TEMPLATE_TYPES]
    else:
        return q  # multi-choice answers are collections: scored each time
    for value in values:
        for state in sorted(REVIEW_STATES):
            answer = AnswerInput(q.key, value, state)
            q.without_evidence[value, state] = _score_answer(q, answer, date.min)
    return q


@dataclass(frozen=True, slots=True)
class _Control:
    key: str
    framework: str
    control_id: str
    title: str
    domain: str
    critical: bool
    head: tuple[str, str, str, str, str, bool]  # the fields above, ControlScore's first six
    questions: tuple[int, ...]  # indexes into CompiledModel.questions
    question_keys: tuple[str, ...]
    name: str  # "ISO/IEC 42001 A.6.2.6 AI system operation and monitoring"
    # The constant parts of this control's finding text, around the numbers (see _finding):
    title_start: str  # "{name}: maturity "
    description_start: str  # "The vendor's answers put {name} at "
    description_middle: str  # ").{critical note} Answers behind this score: "


@dataclass(frozen=True, slots=True)
class _Domain:
    key: str
    title: str
    framework: str
    weight: float
    critical: bool
    controls: tuple[tuple[int, float], ...]  # (index into controls, control weight)


@dataclass(frozen=True, slots=True)
class _TierRule:
    """What the config says for one inherent tier, resolved once per compiled model."""

    target: int
    residual: Any  # mapping gap band → residual risk rating
    # gap band → (finding severity, severity for a critical control: one rating worse)
    severity: dict[str, tuple[str, str]]
    # The constant parts of a finding's text for this tier (see _finding):
    title_end: str  # ", target {target}"
    description_target: str  # " out of 5, below the target of {target} for a {tier}-tier ..."
    by_level: dict[float, _FindingNumbers]  # _finding_numbers for every hundredth 0..5


class _FindingNumbers(NamedTuple):
    """What a finding takes from the control's level, given the tier."""

    gap: float  # target − level, rounded to 2 decimals
    rating: str  # severity from the residual matrix row for the gap's band
    raised: str  # the same, one step worse: the severity of a critical control
    level_1: str  # the level with one decimal, for the title
    level_2: str  # the level with two decimals, for the description
    gap_2: str  # the gap with two decimals


def _finding_numbers(
    target: int, severity: dict[str, tuple[str, str]], level: float
) -> _FindingNumbers:
    gap = _r2(target - level)
    rating, raised = severity[gap_band(gap)]
    return _FindingNumbers(gap, rating, raised, f"{level:.1f}", f"{level:.2f}", f"{gap:.2f}")


def _tier_rule(config: ScoringConfig, tier: str) -> _TierRule:
    target = config.target_by_tier[tier]
    row = config.residual_matrix[tier]
    severity = {}
    for band in GAP_BANDS:
        rating = row[band]
        raised = RATINGS[min(RATINGS.index(rating) + 1, len(RATINGS) - 1)]
        severity[band] = (rating, raised)
    return _TierRule(
        target=target,
        residual=row,
        severity=severity,
        title_end=f", target {target}",
        description_target=f" out of 5, below the target of {target} for a {tier}-tier vendor (gap ",
        by_level={x: _finding_numbers(target, severity, x) for x in _HUNDREDTHS},
    )


class CompiledModel:
    """A questionnaire prepared for scoring under one config; reuse it for every assessment
    of that questionnaire version."""

    __slots__ = (
        "_controls",
        "_domains",
        "_questions",
        "_structure",
        "_tiers",
        "config",
        "warnings",
    )

    def __init__(self, questions: Sequence[QuestionSpec], config: ScoringConfig) -> None:
        self.config = config
        self._structure = config.structure()
        warnings: list[str] = []
        seen: set[str] = set()
        compiled: list[_Question] = []
        specs: list[QuestionSpec] = []
        for spec in questions:
            if spec.key in seen:
                raise ValueError(f"duplicate question key {spec.key!r}")
            seen.add(spec.key)
            if not spec.scores:
                continue
            compiled.append(_with_templates(_compile_question(spec)))
            specs.append(spec)
        self._questions = tuple(compiled)

        # control key → (framework, id, question indexes, critical)
        found: dict[str, tuple[str, str, list[int], bool]] = {}
        for index, spec in enumerate(specs):
            for framework, ids in spec.refs.items():
                if framework not in FRAMEWORKS:
                    warnings.append(f"{spec.key}: unknown framework {framework!r} ignored")
                    continue
                for raw_id in ids:
                    cid = normalise_control_id(framework, raw_id)
                    key = f"{framework}:{cid}"
                    entry = found.setdefault(key, (framework, cid, [], False))
                    if index not in entry[2]:
                        entry[2].append(index)
                    if spec.critical and not entry[3]:
                        found[key] = (framework, cid, entry[2], True)

        domain_order = {d.key: i for i, d in enumerate(config.domains)}
        placed: list[tuple[int, tuple[Any, ...], _Control]] = []
        for key, (framework, cid, indexes, critical) in found.items():
            domain = next((d for d in config.domains if d.matches(framework, cid)), None)
            if domain is None:
                warnings.append(f"{key} is in no scoring domain and is not scored")
                continue
            title = control_title(framework, cid)
            name = f"{FRAMEWORK_LABELS[framework]} {cid}" + (f" {title}" if title else "")
            critical_note = (
                " It is a critical control, so severity is raised one step." if critical else ""
            )
            control = _Control(
                key=key,
                framework=framework,
                control_id=cid,
                title=title,
                domain=domain.key,
                critical=critical,
                head=(key, framework, cid, title, domain.key, critical),
                questions=tuple(indexes),
                question_keys=tuple(specs[i].key for i in indexes),
                name=name,
                title_start=f"{name}: maturity ",
                description_start=f"The vendor's answers put {name} at ",
                description_middle=f").{critical_note} Answers behind this score: ",
            )
            placed.append((domain_order[domain.key], _natural(cid), control))
        placed.sort(key=lambda p: (p[0], p[1]))
        self._controls = tuple(p[2] for p in placed)

        domains = []
        for spec in config.domains:
            members = tuple(
                (i, float(config.control_weights.get(c.key, 1.0)))
                for i, c in enumerate(self._controls)
                if c.domain == spec.key
            )
            critical = any(self._controls[i].critical for i, _ in members)
            domains.append(
                _Domain(spec.key, spec.title, spec.framework, spec.weight, critical, members)
            )
        self._domains = tuple(domains)
        self._tiers = {tier: _tier_rule(config, tier) for tier in TIERS}
        self.warnings = tuple(warnings)

    @property
    def control_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self._controls)

    def score(
        self,
        answers: Sequence[AnswerInput],
        profile: VendorProfile,
        as_of: date | None = None,
    ) -> ScoreResult:
        """Score one assessment; `as_of` defaults to the config's."""
        as_of = as_of or self.config.as_of
        by_key = {a.question_key: a for a in answers}
        if len(by_key) != len(answers):
            raise ValueError("more than one answer for the same question")
        warnings = list(self.warnings)

        # Per scored question, in order: its outcome, its weighted levels for the control step
        # and its clause for finding text (see _score_answer).
        outcomes: list[AnswerOutcome] = []
        terms: list[_Terms | None] = []
        reasons: list[str] = []
        matched = 0
        for q in self._questions:
            answer = by_key.get(q.key)
            if answer is None or answer.value is None:
                scored = q.unanswered
            else:
                matched += 1
                scored = None
                if not answer.evidence and type(answer.value) in _TEMPLATE_TYPES:
                    scored = q.without_evidence.get((answer.value, answer.review_state))
                if scored is None:
                    scored = _score_answer(q, answer, as_of)
            outcome, weighted, reason = scored
            outcomes.append(outcome)
            terms.append(weighted)
            reasons.append(reason)
        if matched != len(by_key):
            known = {q.key for q in self._questions}
            for key in sorted(k for k in by_key if k not in known):
                warnings.append(f"answer to {key!r} ignored: not a scored question")

        # Controls: weighted means of the applicable answers (rule 4). The basis is the weakest
        # of the answers that counted (effective level > 0).
        controls = []
        control_levels: list[tuple[float, float, float] | None] = []
        for c in self._controls:
            sw = sc = se = sv = 0.0
            basis = 2
            positive = False
            contributions = []
            for qi in c.questions:
                contributions.append(outcomes[qi])
                weighted = terms[qi]
                if weighted is None:  # answered "not applicable"
                    continue
                w, wc, we, wv, rank = weighted
                sw += w
                sc += wc
                se += we
                sv += wv
                if rank is not None:
                    positive = True
                    if rank < basis:
                        basis = rank
            if sw:
                claimed, level, verified = _r2(sc / sw), _r2(se / sw), _r2(sv / sw)
                control_levels.append((claimed, level, verified))
                if not positive:
                    basis = 0  # nothing counted, so nothing backs the level
            else:
                claimed = level = verified = None
                control_levels.append(None)
                basis = 0
            controls.append(
                _new(
                    ControlScore,
                    (*c.head, claimed, level, verified, BASES[basis], tuple(contributions)),
                )
            )

        domains = []
        for d in self._domains:
            sw = sc = se = sv = 0.0
            n = 0
            for ci, w in d.controls:
                levels = control_levels[ci]
                if levels is None:
                    continue
                claimed, level, verified = levels
                n += 1
                sw += w
                sc += w * claimed
                se += w * level
                sv += w * verified
            if n:
                domains.append(
                    _new(DomainScore, (
                        d.key, d.title, d.framework, d.weight, d.critical,
                        _r2(sc / sw), _r2(se / sw), _r2(sv / sw), n,
                    ))
                )  # fmt: skip
            else:
                domains.append(
                    _new(DomainScore, (
                        d.key, d.title, d.framework, d.weight, d.critical, None, None, None, 0,
                    ))
                )  # fmt: skip

        iso = [d for d in domains if d.framework == "iso42001" and d.level is not None]
        mean, overall, weakest = _overall(iso, "level")
        _, claimed_overall, _ = _overall(iso, "claimed")
        _, verified_overall, _ = _overall(iso, "verified")

        tier = inherent_tier(profile)
        rule = self._tiers[tier.tier]
        target = rule.target
        residual_basis = overall
        for d in domains:
            if d.framework != "iso42001" and d.level is not None and d.level < residual_basis:
                residual_basis = d.level
        residual_gap = max(0.0, _r2(target - residual_basis))
        residual = rule.residual[gap_band(residual_gap)]

        findings = []
        for c, levels in zip(self._controls, control_levels, strict=True):
            if levels is not None and levels[1] < target:
                reasons_text = "; ".join([reasons[qi] for qi in c.questions])
                findings.append(_finding(c, levels[1], rule, reasons_text))

        return ScoreResult(
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
            residual_risk=residual,
            domains=tuple(domains),
            controls=tuple(controls),
            findings=tuple(findings),
            warnings=tuple(warnings),
        )


def _score_answer(q: _Question, answer: AnswerInput, as_of: date) -> _Scored:
    """Rules 1–3 for one answer: the claimed level, the evidence and review caps, the basis.

    Returns the outcome with what the later steps need from it, made here while the values are
    at hand: its weighted levels (None when not applicable) and its clause in finding text."""
    value = answer.value
    invalid = False
    applicable = True
    if q.kind == _MATURITY:
        if isinstance(value, int) and not isinstance(value, bool):
            claimed = 0 if value < 0 else q.max_level if value > q.max_level else value
        else:
            claimed, invalid = 0, True
    elif q.kind == _CHOICE:
        if isinstance(value, bool):
            value = "yes" if value else "no"
        level = q.levels.get(value, _MISSING) if isinstance(value, str | int) else _MISSING
        if level is _MISSING:
            claimed, invalid = 0, True
        elif level is None:
            claimed, applicable = 0, False
        else:
            claimed = level
    else:
        if isinstance(value, list | tuple | set | frozenset):
            total, any_level, unknown = 0, False, False
            for option in set(value):
                level = q.levels.get(option, _MISSING)
                if level is _MISSING:
                    unknown = True
                elif level is not None:
                    total += level
                    any_level = True
            if value and not any_level and not unknown:
                claimed, applicable = 0, False  # only "not applicable" options chosen
            else:
                claimed = min(total, q.max_level)
                invalid = unknown and not any_level
        else:
            claimed, invalid = 0, True

    notes = []
    has_valid = has_accepted = saw_rejected = saw_expired = False
    for e in answer.evidence:
        if e.status == "rejected":
            counted, reason, saw_rejected = False, "rejected", True
        elif e.valid_until is not None and e.valid_until < as_of:
            counted, reason, saw_expired = False, "expired", True
        else:
            counted, reason, has_valid = True, e.status, True
            if e.status == "accepted":
                has_accepted = True
        notes.append(
            _new(EvidenceNote, (e.evidence_id, e.sha256, e.status, e.valid_until, counted, reason))
        )

    state = answer.review_state
    verified_cap = None
    if state == "rejected":
        applicable = True
        effective = verified = 0
        cap = "answer_rejected"
    else:
        effective = claimed
        cap = "invalid_value" if invalid else None
        if claimed >= q.evidence_from and not has_valid:
            effective = q.cap_level
            cap = (
                "evidence_expired"
                if saw_expired
                else "evidence_rejected"
                if saw_rejected
                else "evidence_missing"
            )
        if state != "accepted":
            verified = 0
            if effective > 0:
                verified_cap = "not_accepted"
        elif claimed >= q.evidence_from and not has_accepted:
            verified = q.cap_level
            if verified < effective:
                verified_cap = "evidence_not_accepted"
        else:
            verified = effective
    if not has_valid:
        basis = 0  # index into BASES: self_attested
    elif state == "accepted" and has_accepted:
        basis = 2  # evidence_accepted
    else:
        basis = 1  # evidence_provided
    cap_reason = CAP_REASONS[cap] if cap else None
    raw = value if type(value) in _SCALARS else _raw(value)
    outcome = _new(AnswerOutcome, (
        q.key, raw, state, q.weight, applicable, claimed, effective, verified,
        cap, cap_reason, verified_cap, BASES[basis], tuple(notes),
    ))  # fmt: skip

    if not applicable:
        return outcome, None, q.not_applicable_text
    w = q.weight
    weighted = (w, w * claimed, w * effective, w * verified, basis if effective > 0 else None)
    if cap:
        reason = f"{q.key} claimed {claimed}, counted {effective}: {cap_reason}"
    elif type(effective) is int:
        reason = q.level_texts[effective]
    else:  # an option map with a non-int level: format it as it is
        reason = f"{q.key} at level {effective}"
    return outcome, weighted, reason


def _overall(domains: list[DomainScore], attr: str) -> tuple[float, float, str | None]:
    """(weighted mean, mean after the weakest-link rule, weakest critical domain), one decimal."""
    if not domains:
        return 0.0, 0.0, None
    field = DomainScore._fields.index(attr)
    sw = sum([d.weight for d in domains])
    mean = sum([d.weight * d[field] for d in domains]) / sw
    capped = mean
    weakest = None
    critical = [(d[field], d.key) for d in domains if d.critical]
    if critical:
        weakest_value, weakest = min(critical)  # lowest level; ties go to the first key
        capped = min(mean, weakest_value + 1.0)
    return _r1(mean), _r1(capped), weakest


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


def _finding(control: _Control, level: float, rule: _TierRule, reasons: str) -> Finding:
    """A control below its tier's target: gap, severity (one step worse for a critical control)
    and the text, put together from the constant pieces compiled for the control and tier."""
    n = rule.by_level.get(level) or _finding_numbers(rule.target, rule.severity, level)
    title = f"{control.title_start}{n.level_1}{rule.title_end}"
    description = (
        f"{control.description_start}{n.level_2}{rule.description_target}{n.gap_2}"
        f"{control.description_middle}{reasons}."
    )
    return _new(Finding, (
        control.key, control.framework, control.control_id, title, description,
        n.raised if control.critical else n.rating,
        level, rule.target, n.gap, {control.framework: [control.control_id]},
        control.question_keys,
    ))  # fmt: skip


def claimed_level(spec: QuestionSpec, value: Any) -> int | None:
    """The level the vendor claims with `value` (rule 1), or None when it means "not
    applicable" or the question is not scored. The same code path as scoring, so pages that
    show a level can never disagree with the score."""
    if not spec.scores:
        return None
    if value is None:
        return 0
    outcome, _, _ = _score_answer(_compile_question(spec), AnswerInput(spec.key, value), date.min)
    return outcome.claimed_level if outcome.applicable else None


def compile_model(questions: Sequence[QuestionSpec], config: ScoringConfig) -> CompiledModel:
    """Prepare a questionnaire version for repeated scoring under `config`."""
    return CompiledModel(questions, config)


def score_assessment(
    questions: Sequence[QuestionSpec] | CompiledModel,
    answers: Iterable[AnswerInput],
    profile: VendorProfile,
    config: ScoringConfig,
) -> ScoreResult:
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
    return model.score(answers, profile, config.as_of)
