"""From rows to the scoring model's inputs: questionnaire → QuestionSpecs, answers and evidence →
AnswerInputs, vendor + AI systems + portfolio → RiskProfile, organisation → ScoringConfig.

This is the only place that knows both the questionnaire schema and the scoring model: pages ask
`answer_level` here, so a page can never show a different claimed level than the score uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.assessments.context import values_with_facts
from app.caching import ContentHashCache
from app.models import (
    AISystem,
    Answer,
    AnswerEvidence,
    Assessment,
    BusinessFunction,
    Contract,
    DataSensitivity,
    Evidence,
    Organisation,
    Questionnaire,
    Substitutability,
    Vendor,
)
from app.questionnaires.conditions import visible_questions
from app.questionnaires.schema import MAX_LEVEL, Question, QuestionType
from app.questionnaires.service import Compiled, compiled
from app.scoring import (
    DEFAULT_TARGETS,
    MODEL_VERSION,
    AnswerInput,
    CompiledModel,
    EvidenceInput,
    QuestionSpec,
    RiskProfile,
    ScoringConfig,
    claimed_level,
    compile_model,
)
from app.scoring.inputs import FRAMEWORKS
from app.scoring.tiering import SENSITIVITY_POINTS, SUBSTITUTABILITY_POINTS

# AnswerEvidence.review_state → EvidenceInput.status: a file is "provided" until the reviewer
# accepts or rejects it for that answer (pending and clarification alike).
EVIDENCE_STATUS = {
    "pending": "provided",
    "clarification": "provided",
    "accepted": "accepted",
    "rejected": "rejected",
}
# Scores stored before the risk profile spoke the register's words hold the tier's words
# ("restricted", "difficult"): read them back as the register values they stand for.
_STORED_WORDS: dict[str, dict[str, str]] = {
    "data_sensitivity": {word: value for value, (_, word) in SENSITIVITY_POINTS.items()},
    "substitutability": {word: value for value, (_, word) in SUBSTITUTABILITY_POINTS.items()},
}
HIGH_RISK_AI_CLASSES = frozenset({"high", "prohibited"})
# EEA member states: processing elsewhere is "third country" (DORA Art. 28(4), GDPR ch. V).
EEA = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK".split()
)
# Provider names that mean "the vendor's own", never shared with another vendor.
_OWN_PROVIDER_PREFIXES = ("in-house", "in house", "inhouse", "own ", "proprietary")


# --- questionnaire → QuestionSpec -----------------------------------------------------------------


def question_spec(question: Question) -> QuestionSpec | None:
    """The scoring view of one question; None when the question carries no maturity level."""
    if not question.scored:
        return None
    rule = question.evidence
    needed = rule.required_from_level if rule is not None else None
    levels = None
    if question.type != QuestionType.maturity:
        levels = {o.value: o.level for o in question.options}
    return QuestionSpec(
        key=question.key,
        refs={fw: tuple(ids) for fw, ids in question.refs if ids and fw in FRAMEWORKS},
        kind=str(question.type),
        weight=question.weight,
        critical=question.critical,
        max_level=max(1, question.max_level or 0),
        level_for_value=levels,
        evidence_required_from_level=needed or None,  # 0 = any answer needs a file: no cap
    )


_SPECS: ContentHashCache[str, tuple[QuestionSpec, ...]] = ContentHashCache(256)
# By content hash, the questions show_if hides and the scoring config.
_MODELS: ContentHashCache[tuple[Any, ...], CompiledModel] = ContentHashCache(512)


def answer_level(question: Question, value: object) -> int | None:
    """The maturity level an answer claims, or None (unanswered, not applicable, unscored).

    maturity: the answer itself (0–5). single_choice / yes_no_na: the chosen option's level; an
    option without a level means "not applicable". multi_choice: the scoring model's rule
    (`claimed_level`, docs/scoring.md rule 1), so a page never shows another level than the
    score uses.
    """
    if value is None or not question.scored:
        return None
    if question.type == QuestionType.maturity:
        if isinstance(value, bool):
            return None
        try:
            level = int(str(value).strip())
        except ValueError:
            return None
        return level if 0 <= level <= MAX_LEVEL else None
    if question.type == QuestionType.multi_choice:
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            value = [value]
        spec = question_spec(question)
        return claimed_level(spec, list(value)) if spec is not None else None  # type: ignore[arg-type]
    chosen_option = question.option(value)
    return chosen_option.level if chosen_option else None


def question_specs(row: Questionnaire) -> tuple[QuestionSpec, ...]:
    """Specs of every scored question of a published version, built once per content hash."""
    return _SPECS.get(
        row.content_hash,
        lambda: tuple(
            spec
            for q in compiled(row).definition.questions()
            if (spec := question_spec(q)) is not None
        ),
    )


def config_key(config: ScoringConfig) -> tuple[Any, ...]:
    """What a compiled model depends on, as a hashable key (everything but as_of)."""
    return (
        config.model_version,
        tuple(sorted(config.target_by_tier.items())),
        tuple((t, tuple(sorted(r.items()))) for t, r in sorted(config.residual_matrix.items())),
        config.domains,
        tuple(sorted(config.control_weights.items())),
    )


def compiled_model(
    row: Questionnaire, config: ScoringConfig, hidden: frozenset[str] = frozenset()
) -> CompiledModel:
    """The questionnaire compiled for scoring, cached per content hash, scoring config and set of
    questions hidden by show_if (hidden questions are left out, not counted as unanswered)."""

    def build() -> CompiledModel:
        specs = question_specs(row)
        if hidden:
            specs = tuple(s for s in specs if s.key not in hidden)
        return compile_model(specs, config)

    return _MODELS.get((row.content_hash, hidden, config_key(config)), build)


def hidden_scored_keys(questionnaire: Compiled, values: Mapping[str, Any]) -> frozenset[str]:
    """Scored questions that show_if hides for these answers."""
    shown = {q.key for q in visible_questions(questionnaire.definition, values)}
    return frozenset(
        q.key for q in questionnaire.definition.questions() if q.scored and q.key not in shown
    )


# --- answers and evidence → AnswerInput -----------------------------------------------------------


def answer_inputs(
    *, session: Session, assessment: Assessment, questionnaire: Compiled
) -> tuple[tuple[AnswerInput, ...], frozenset[str]]:
    """The assessment's answers to visible scored questions, with their evidence; and the scored
    questions hidden by show_if. Two queries whatever the number of answers."""
    answers = session.exec(select(Answer).where(Answer.assessment_id == assessment.id)).all()
    values = {a.question_key: a.value for a in answers}
    hidden = hidden_scored_keys(
        questionnaire,
        values_with_facts(session=session, vendor_id=assessment.vendor_id, values=values),
    )
    scored = {key for key, q in questionnaire.by_key.items() if q.scored and key not in hidden}
    evidence: dict[int, list[EvidenceInput]] = defaultdict(list)
    rows = session.exec(
        select(AnswerEvidence.answer_id, AnswerEvidence.review_state, Evidence)
        .join(Evidence, col(Evidence.id) == col(AnswerEvidence.evidence_id))
        .join(Answer, col(Answer.id) == col(AnswerEvidence.answer_id))
        .where(Answer.assessment_id == assessment.id)
        .order_by(col(AnswerEvidence.answer_id), col(Evidence.id))
    ).all()
    for answer_id, review_state, item in rows:
        evidence[answer_id].append(
            EvidenceInput(
                evidence_id=item.id,
                sha256=item.sha256,
                status=EVIDENCE_STATUS[str(review_state)],
                valid_until=item.valid_until,
            )
        )
    inputs = tuple(
        AnswerInput(
            question_key=a.question_key,
            value=a.value,
            review_state=str(a.review_state),
            evidence=tuple(evidence.get(a.id, ())),
        )
        for a in sorted(answers, key=lambda a: a.question_key)
        if a.question_key in scored
    )
    return inputs, hidden


# --- vendor → RiskProfile -------------------------------------------------------------------------


def provider_name(name: str | None) -> str | None:
    """A provider name as compared across vendors (case and spacing ignored); None for blanks
    and for the vendor's own models or data centres, which nobody else shares."""
    if not name:
        return None
    clean = " ".join(name.split())
    lowered = clean.lower()
    if not clean or lowered.startswith(_OWN_PROVIDER_PREFIXES) or " own " in f" {lowered} ":
        return None
    return clean


def provider_key(name: str) -> str:
    return name.casefold()


def portfolio_providers(
    *, session: Session, organisation_id: int
) -> dict[int, set[tuple[str, str]]]:
    """Every vendor's (kind, provider key) pairs: kind "model" from its AI systems, "cloud" from
    its cloud providers. Two queries for the whole portfolio."""
    providers: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for vendor_id, clouds in session.exec(
        select(Vendor.id, Vendor.cloud_providers).where(Vendor.organisation_id == organisation_id)
    ).all():
        for cloud in clouds or ():
            if (name := provider_name(cloud)) is not None:
                providers[vendor_id].add(("cloud", provider_key(name)))
    for vendor_id, model_provider in session.exec(
        select(AISystem.vendor_id, AISystem.model_provider)
        .join(Vendor, col(Vendor.id) == col(AISystem.vendor_id))
        .where(Vendor.organisation_id == organisation_id)
    ).all():
        if (name := provider_name(model_provider)) is not None:
            providers[vendor_id].add(("model", provider_key(name)))
    return providers


def shared_provider_counts(providers: Mapping[int, set[tuple[str, str]]]) -> dict[int, int]:
    """For each vendor, how many *other* vendors share at least one model or cloud provider."""
    by_provider: dict[tuple[str, str], set[int]] = defaultdict(set)
    for vendor_id, keys in providers.items():
        for key in keys:
            by_provider[key].add(vendor_id)
    counts: dict[int, int] = {}
    for vendor_id, keys in providers.items():
        others: set[int] = set()
        for key in keys:
            others |= by_provider[key]
        others.discard(vendor_id)
        counts[vendor_id] = len(others)
    return counts


def risk_profile(
    *, session: Session, vendor: Vendor, shared_providers: int | None = None
) -> RiskProfile:
    """What the buyer knows about its reliance on `vendor`; `shared_providers` is computed from
    the portfolio when not given (pass it when scoring many vendors)."""
    if shared_providers is None:
        counts = shared_provider_counts(
            portfolio_providers(session=session, organisation_id=vendor.organisation_id)
        )
        shared_providers = counts.get(vendor.id or 0, 0)
    systems = session.exec(
        select(AISystem.ai_act_class, AISystem.affects_natural_persons).where(
            AISystem.vendor_id == vendor.id
        )
    ).all()
    contracts = session.exec(
        select(
            Contract.supports_critical_function,
            Contract.processing_countries,
            Contract.storage_countries,
            BusinessFunction.critical,
        )
        .join(
            BusinessFunction,
            col(BusinessFunction.id) == col(Contract.function_id),
            isouter=True,
        )
        .where(Contract.vendor_id == vendor.id)
    ).all()
    critical = bool(vendor.supports_critical_function) or any(
        supports or function_critical == "yes" for supports, _, _, function_critical in contracts
    )
    countries: set[str] = {vendor.hq_country.upper()} if vendor.hq_country else set()
    for _, processing, storage, _ in contracts:
        countries.update(c.upper() for c in (processing or ()) + (storage or ()))
    return RiskProfile(
        supports_critical_function=critical,
        data_sensitivity=vendor.data_sensitivity or DataSensitivity.low,
        ai_act_high_risk_use=any(str(cls) in HIGH_RISK_AI_CLASSES for cls, _ in systems),
        affects_natural_persons=any(persons for _, persons in systems),
        substitutability=vendor.substitutability or Substitutability.medium,
        concentration_shared_providers=shared_providers,
        third_country_processing=bool(countries - EEA),
    )


# --- organisation → ScoringConfig -----------------------------------------------------------------


def scoring_config(
    organisation: Organisation | None, *, as_of: date, model_version: str = MODEL_VERSION
) -> ScoringConfig:
    """The model's defaults with the organisation's targets per tier over them
    (Organisation.settings["scoring"]["target_by_tier"], e.g. {"critical": 5})."""
    settings = (organisation.settings if organisation else None) or {}
    configured = (settings.get("scoring") or {}).get("target_by_tier") or {}
    targets = dict(DEFAULT_TARGETS)
    for tier, target in configured.items():
        if tier in targets:
            try:
                value = int(target)
            except (TypeError, ValueError):
                continue
            if 0 <= value <= 5:
                targets[tier] = value
    return ScoringConfig(as_of=as_of, model_version=model_version, target_by_tier=targets)


# --- stored inputs (exact recomputation) -----------------------------------------------------------


def inputs_to_json(
    *,
    questionnaire: Questionnaire,
    hidden: Iterable[str],
    answers: Sequence[AnswerInput],
    profile: RiskProfile,
    config: ScoringConfig,
) -> dict[str, Any]:
    """Everything `score_assessment` read, as JSON: with the published questionnaire (immutable)
    and the same model version it reproduces the stored result exactly."""
    return {
        "questionnaire_id": questionnaire.id,
        "content_hash": questionnaire.content_hash,
        "hidden": sorted(hidden),
        "answers": [
            {
                "question_key": a.question_key,
                "value": a.value,
                "review_state": a.review_state,
                "evidence": [
                    {
                        "evidence_id": e.evidence_id,
                        "sha256": e.sha256,
                        "status": e.status,
                        "valid_until": e.valid_until.isoformat() if e.valid_until else None,
                    }
                    for e in a.evidence
                ],
            }
            for a in answers
        ],
        "profile": {
            "supports_critical_function": profile.supports_critical_function,
            "data_sensitivity": str(profile.data_sensitivity),
            "ai_act_high_risk_use": profile.ai_act_high_risk_use,
            "affects_natural_persons": profile.affects_natural_persons,
            "substitutability": str(profile.substitutability),
            "concentration_shared_providers": profile.concentration_shared_providers,
            "third_country_processing": profile.third_country_processing,
        },
        "config": {
            "as_of": config.as_of.isoformat(),
            "model_version": config.model_version,
            "target_by_tier": dict(config.target_by_tier),
        },
    }


def inputs_from_json(
    data: Mapping[str, Any],
) -> tuple[frozenset[str], tuple[AnswerInput, ...], RiskProfile, ScoringConfig]:
    """What `inputs_to_json` stored, read back (older stored words included)."""
    answers = tuple(
        AnswerInput(
            question_key=a["question_key"],
            value=a["value"],
            review_state=a["review_state"],
            evidence=tuple(
                EvidenceInput(
                    evidence_id=e["evidence_id"],
                    sha256=e["sha256"],
                    status=e["status"],
                    valid_until=date.fromisoformat(e["valid_until"]) if e["valid_until"] else None,
                )
                for e in a["evidence"]
            ),
        )
        for a in data["answers"]
    )
    cfg = data["config"]
    config = ScoringConfig(
        as_of=date.fromisoformat(cfg["as_of"]),
        model_version=cfg["model_version"],
        target_by_tier=dict(cfg["target_by_tier"]),
    )
    profile = {
        name: _STORED_WORDS[name].get(value, value) if name in _STORED_WORDS else value
        for name, value in data["profile"].items()
    }
    return frozenset(data["hidden"]), answers, RiskProfile(**profile), config
