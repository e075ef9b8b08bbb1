"""The scoring model: pure functions from questions, answers and a vendor profile to maturity,
risk and findings. No database, no HTTP; the service layer adapts rows into these inputs."""

from app.scoring.catalog import FRAMEWORK_LABELS, control_title, normalise_control_id
from app.scoring.config import (
    DEFAULT_DOMAINS,
    DEFAULT_RESIDUAL_MATRIX,
    DEFAULT_TARGETS,
    LEVEL_NAMES,
    MODEL_VERSION,
    DomainSpec,
    ScoringConfig,
    gap_band,
)
from app.scoring.inputs import (
    AISystemInput,
    AnswerInput,
    ClauseStatement,
    ContractInput,
    EvidenceInput,
    QuestionSpec,
    RiskProfile,
)
from app.scoring.model import CompiledModel, claimed_level, compile_model, score_assessment
from app.scoring.result import (
    CAP_REASONS,
    FINDING_KINDS,
    AnswerOutcome,
    ClauseJudgement,
    ControlScore,
    DomainScore,
    EvidenceNote,
    ProposedFinding,
    Scorecard,
)
from app.scoring.tiering import TierAssessment, inherent_tier

__all__ = [
    "CAP_REASONS",
    "DEFAULT_DOMAINS",
    "DEFAULT_RESIDUAL_MATRIX",
    "DEFAULT_TARGETS",
    "FINDING_KINDS",
    "FRAMEWORK_LABELS",
    "LEVEL_NAMES",
    "MODEL_VERSION",
    "AISystemInput",
    "AnswerInput",
    "AnswerOutcome",
    "ClauseJudgement",
    "ClauseStatement",
    "CompiledModel",
    "ContractInput",
    "ControlScore",
    "DomainScore",
    "DomainSpec",
    "EvidenceInput",
    "EvidenceNote",
    "ProposedFinding",
    "QuestionSpec",
    "RiskProfile",
    "Scorecard",
    "ScoringConfig",
    "TierAssessment",
    "claimed_level",
    "compile_model",
    "control_title",
    "gap_band",
    "inherent_tier",
    "normalise_control_id",
    "score_assessment",
]
