"""What the scoring model reads: plain frozen values the service layer builds from
questionnaire definitions and assessment rows, so the model never touches the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from app.models.vendor import DataSensitivity, Substitutability

FRAMEWORKS = ("iso42001", "dora", "ai_act")
SCORING_KINDS = frozenset({"maturity", "single_choice", "multi_choice", "yes_no_na"})
REVIEW_STATES = frozenset({"pending", "accepted", "clarification", "rejected"})
EVIDENCE_STATUSES = frozenset({"provided", "accepted", "rejected"})


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """One question as the scoring model sees it: which controls it informs and how answers map to levels.

    `level_for_value` maps an option value to a level (None = "not applicable", the question is
    left out); it is None for `maturity` questions, whose answer is the level itself. Kinds
    outside SCORING_KINDS (free text, numbers, files) are accepted and ignored by the model.
    """

    key: str
    refs: Mapping[str, tuple[str, ...]]
    kind: str = "maturity"
    weight: float = 1.0
    critical: bool = False
    max_level: int = 5
    level_for_value: Mapping[Any, int | None] | None = None
    evidence_required_from_level: int | None = 3
    # The evidence kinds the question asks for (policy, record, contract, ...); a file of another
    # kind is ignored. Empty: any kind counts.
    evidence_kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("question key must not be empty")
        if not (self.weight > 0):
            raise ValueError(f"{self.key}: weight must be > 0, got {self.weight!r}")
        if not 1 <= self.max_level <= 5:
            raise ValueError(f"{self.key}: max_level must be 1..5, got {self.max_level!r}")
        req = self.evidence_required_from_level
        if req is not None and not 1 <= req <= 5:
            raise ValueError(f"{self.key}: evidence_required_from_level must be 1..5 or None")
        refs = {str(fw): tuple(str(i) for i in ids) for fw, ids in self.refs.items()}
        object.__setattr__(self, "refs", MappingProxyType(refs))
        object.__setattr__(self, "evidence_kinds", tuple(str(k) for k in self.evidence_kinds))
        levels = self.level_for_value
        if self.kind == "yes_no_na" and levels is None:
            levels = {"yes": self.max_level, "no": 0, "na": None}
        if self.kind in ("single_choice", "multi_choice") and not levels:
            raise ValueError(f"{self.key}: {self.kind} questions need level_for_value")
        if levels is not None:
            for value, level in levels.items():
                if level is not None and not 0 <= level <= self.max_level:
                    raise ValueError(
                        f"{self.key}: option {value!r} has level {level!r} outside 0..{self.max_level}"
                    )
            levels = MappingProxyType(dict(levels))
        object.__setattr__(self, "level_for_value", levels)

    @property
    def scores(self) -> bool:
        """Only closed answer kinds turn into a maturity level."""
        return self.kind in SCORING_KINDS


@dataclass(frozen=True, slots=True)
class EvidenceInput:
    """A file attached to an answer; the hash is carried so the explanation names exactly what was seen."""

    evidence_id: str | int
    sha256: str
    status: str = "provided"
    valid_until: date | None = None
    kind: str | None = None  # what the vendor said the file is when uploading it

    def __post_init__(self) -> None:
        if self.status not in EVIDENCE_STATUSES:
            raise ValueError(f"evidence status must be one of {sorted(EVIDENCE_STATUSES)}")


@dataclass(frozen=True, slots=True)
class AnswerInput:
    """The vendor's answer to one question, with the reviewer's verdict and the evidence attached."""

    question_key: str
    value: Any
    review_state: str = "pending"
    evidence: tuple[EvidenceInput, ...] = ()

    def __post_init__(self) -> None:
        if self.review_state not in REVIEW_STATES:
            raise ValueError(f"review_state must be one of {sorted(REVIEW_STATES)}")
        if not isinstance(self.evidence, tuple):
            object.__setattr__(self, "evidence", tuple(self.evidence))


@dataclass(frozen=True, slots=True)
class RiskProfile:
    """What the buyer knows about its reliance on the vendor; drives the inherent risk tier.

    Data sensitivity and substitutability are the vendor register's own values (the enums of
    `app.models.vendor`); a plain string of one of those values is accepted and converted.
    concentration_shared_providers: how many other vendors in the portfolio share a model or
    cloud provider with this one (DORA Art. 29 concentration).
    """

    supports_critical_function: bool = False
    data_sensitivity: DataSensitivity = DataSensitivity.low
    ai_act_high_risk_use: bool = False
    affects_natural_persons: bool = False
    substitutability: Substitutability = Substitutability.medium
    concentration_shared_providers: int = 0
    third_country_processing: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "data_sensitivity", _one_of(DataSensitivity, self.data_sensitivity)
        )
        object.__setattr__(
            self, "substitutability", _one_of(Substitutability, self.substitutability)
        )
        if self.concentration_shared_providers < 0:
            raise ValueError("concentration_shared_providers must be >= 0")


def _one_of(enum: Any, value: Any) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise ValueError(
            f"{enum.__name__} must be one of {[member.value for member in enum]}, got {value!r}"
        ) from None


AI_ACT_CLASSES = frozenset({"prohibited", "high", "limited", "minimal", "unknown"})


@dataclass(frozen=True, slots=True)
class ClauseStatement:
    """One Art. 30 clause of one contract: the vendor's word and the buyer's reviewer's."""

    code: str  # "Art. 30(3)(c)"
    vendor_status: str | None = None  # yes | partly | no | None (not stated)
    confirmed_status: str | None = None  # the reviewer's finding against the signed contract

    def __post_init__(self) -> None:
        for status in (self.vendor_status, self.confirmed_status):
            if status is not None and status not in ("yes", "partly", "no"):
                raise ValueError(f"clause status must be yes, partly or no, got {status!r}")


@dataclass(frozen=True, slots=True)
class ContractInput:
    """A contract with the vendor, as far as Art. 30 is concerned. A clause without a statement
    falls back to the vendor's answer to the matching contract question."""

    reference: str
    supports_critical_function: bool = False
    clauses: tuple[ClauseStatement, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.clauses, tuple):
            object.__setattr__(self, "clauses", tuple(self.clauses))


@dataclass(frozen=True, slots=True)
class AISystemInput:
    """An AI system the vendor supplies: the classes the vendor states and the buyer's own."""

    name: str
    vendor_classes: tuple[str, ...] = ()
    buyer_class: str | None = None

    def __post_init__(self) -> None:
        classes = tuple(str(c) for c in self.vendor_classes)
        object.__setattr__(self, "vendor_classes", classes)
        for value in (*classes, self.buyer_class):
            if value is not None and value not in AI_ACT_CLASSES:
                raise ValueError(f"unknown AI Act class {value!r}")
