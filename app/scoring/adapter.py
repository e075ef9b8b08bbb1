"""From rows to the scoring model's inputs: questionnaire → QuestionSpecs, answers and evidence →
AnswerInputs, vendor + AI systems + portfolio → RiskProfile, organisation → ScoringConfig.

This is the only place that knows both the questionnaire schema and the scoring model: pages ask
`answer_level` here, so a page can never show a different claimed level than the score uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

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
    ContractClause,
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
    AISystemInput,
    AnswerInput,
    ClauseStatement,
    CompiledModel,
    ContractInput,
    EvidenceInput,
    QuestionSpec,
    RiskProfile,
    ScoringConfig,
    claimed_level,
    compile_model,
)
from app.scoring.clauses import CLAUSE_BY_CODE
from app.scoring.inputs import AI_ACT_CLASSES, FRAMEWORKS
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
# A prohibited practice is its own critical finding (docs/scoring.md rule 12), not a tier point.
HIGH_RISK_AI_CLASSES = frozenset({"high"})
# The question in which the vendor declares the AI Act classes of its systems.
DECLARED_CLASSES_KEY = "scope.ai_act_classes"
# The buyer's classes of the vendor's AI systems, as `values_with_facts` merges them in.
BUYER_CLASSES_FACT = "buyer.ai_act_classes"
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
        evidence_kinds=tuple(str(k) for k in rule.kinds) if rule is not None else (),
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


def judged_values(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """The answers as visibility is judged on: a system the buyer classifies high-risk counts as
    declared high-risk, so its duties are asked and judged whatever the vendor declared."""
    if "high" not in (values.get(BUYER_CLASSES_FACT) or ()):
        return values
    declared = values.get(DECLARED_CLASSES_KEY)
    declared = list(declared) if isinstance(declared, list | tuple) else []
    return {**values, DECLARED_CLASSES_KEY: [*declared, "high"]}


def hidden_scored_keys(questionnaire: Compiled, values: Mapping[str, Any]) -> frozenset[str]:
    """Scored questions that show_if hides for these answers and the buyer's facts merged in by
    `values_with_facts`. The high-risk duties are judged when either side classifies a system
    high-risk: the buyer's "high" counts as declared, whatever the show_if says."""
    shown = {q.key for q in visible_questions(questionnaire.definition, judged_values(values))}
    return frozenset(
        q.key for q in questionnaire.definition.questions() if q.scored and q.key not in shown
    )


# --- answers and evidence → AnswerInput -----------------------------------------------------------


def answer_inputs(
    *,
    session: Session,
    assessment: Assessment,
    questionnaire: Compiled,
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
                kind=item.kind,
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
    systems = [
        (tier_class(system), system.affects_natural_persons)
        for system in session.exec(select(AISystem).where(AISystem.vendor_id == vendor.id)).all()
    ]
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
        ai_act_high_risk_use=any(cls in HIGH_RISK_AI_CLASSES for cls, _ in systems),
        affects_natural_persons=any(persons for _, persons in systems),
        substitutability=vendor.substitutability or Substitutability.medium,
        concentration_shared_providers=shared_providers,
        third_country_processing=bool(countries - EEA),
    )


# --- AI systems and contracts → the model's AI Act and Art. 30 inputs ----------------------------


def buyer_class(system: AISystem) -> str | None:
    """The buyer's own AI Act class of a system (`buyer_risk_class`), None until recorded."""
    return str(system.buyer_risk_class) if system.buyer_risk_class is not None else None


def tier_class(system: AISystem) -> str:
    """The class the tier reads: the buyer's own where recorded, else the register's."""
    return buyer_class(system) or str(system.ai_act_class)


def declared_classes(answers: Sequence[AnswerInput] | Mapping[str, Any]) -> tuple[str, ...]:
    """The AI Act classes the vendor declared in its answers."""
    if isinstance(answers, Mapping):
        value = answers.get(DECLARED_CLASSES_KEY)
    else:
        value = next((a.value for a in answers if a.question_key == DECLARED_CLASSES_KEY), None)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(sorted({str(v) for v in value if str(v) in AI_ACT_CLASSES}))


def ai_system_inputs(*, session: Session, vendor: Vendor) -> tuple[AISystemInput, ...]:
    """Each AI system with the buyer's class and the class the register holds as stated for the
    vendor (`ai_act_class`; "unknown" states nothing)."""
    return tuple(
        AISystemInput(
            name=system.name,
            vendor_classes=(str(system.ai_act_class),)
            if str(system.ai_act_class) != "unknown"
            else (),
            buyer_class=buyer_class(system),
        )
        for system in session.exec(
            select(AISystem).where(AISystem.vendor_id == vendor.id).order_by(col(AISystem.id))
        ).all()
    )


PROPOSED_CONTRACT = "Proposed contract"


def contract_inputs(
    *, session: Session, vendor: Vendor, profile: RiskProfile
) -> tuple[ContractInput, ...]:
    """The vendor's contracts with their clause checklists; a vendor without a contract in the
    register is judged on the contract it proposes (its questionnaire answers), supporting a
    critical or important function when the vendor does. Two queries."""
    contracts = session.exec(
        select(Contract, BusinessFunction.critical)
        .join(
            BusinessFunction,
            col(BusinessFunction.id) == col(Contract.function_id),
            isouter=True,
        )
        .where(Contract.vendor_id == vendor.id, col(Contract.termination_reason).is_(None))
        .order_by(col(Contract.id))
    ).all()
    if not contracts:
        return (ContractInput(PROPOSED_CONTRACT, profile.supports_critical_function),)
    statements: dict[int, list[ClauseStatement]] = defaultdict(list)
    for row in session.exec(
        select(ContractClause)
        .where(col(ContractClause.contract_id).in_([c.id for c, _ in contracts]))
        .order_by(col(ContractClause.code))
    ).all():
        if row.code in CLAUSE_BY_CODE:
            statements[row.contract_id].append(
                ClauseStatement(row.code, row.vendor_status, row.confirmed_status)
            )
    return tuple(
        ContractInput(
            reference=contract.reference,
            supports_critical_function=contract_is_cif(contract, function_critical),
            clauses=tuple(statements.get(contract.id or 0, ())),
        )
        for contract, function_critical in contracts
    )


def contract_is_cif(contract: Contract, function_critical: str | None) -> bool:
    """A contract supports a critical or important function when flagged so or when its
    business function is marked critical."""
    return bool(contract.supports_critical_function) or function_critical == "yes"


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
    contracts: Sequence[ContractInput] = (),
    ai_systems: Sequence[AISystemInput] = (),
    declared: Sequence[str] = (),
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
                        "kind": e.kind,
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
        "contracts": [
            {
                "reference": c.reference,
                "supports_critical_function": c.supports_critical_function,
                "clauses": [[s.code, s.vendor_status, s.confirmed_status] for s in c.clauses],
            }
            for c in contracts
        ],
        "ai_systems": [
            {"name": s.name, "vendor_classes": list(s.vendor_classes), "buyer_class": s.buyer_class}
            for s in ai_systems
        ],
        "declared_classes": list(declared),
    }


class StoredInputs(NamedTuple):
    hidden: frozenset[str]
    answers: tuple[AnswerInput, ...]
    profile: RiskProfile
    config: ScoringConfig
    contracts: tuple[ContractInput, ...]
    ai_systems: tuple[AISystemInput, ...]
    declared: tuple[str, ...]


def inputs_from_json(data: Mapping[str, Any]) -> StoredInputs:
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
                    kind=e.get("kind"),
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
    contracts = tuple(
        ContractInput(
            c["reference"],
            c["supports_critical_function"],
            tuple(ClauseStatement(*clause) for clause in c["clauses"]),
        )
        for c in data.get("contracts", ())
    )
    systems = tuple(
        AISystemInput(s["name"], tuple(s["vendor_classes"]), s["buyer_class"])
        for s in data.get("ai_systems", ())
    )
    return StoredInputs(
        frozenset(data["hidden"]),
        answers,
        RiskProfile(**profile),
        config,
        contracts,
        systems,
        tuple(data.get("declared_classes", ())),
    )
