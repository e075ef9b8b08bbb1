"""Scoring configuration: every number the model uses lives here, versioned by MODEL_VERSION
so a stored score can be recomputed exactly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

MODEL_VERSION = "2026.3"

LEVEL_NAMES = (
    "No process",
    "Ad hoc",
    "Non-standard processes",
    "Documented and communicated",
    "Monitored and measured",
    "Continuously improved",
)

TIERS = ("critical", "high", "medium", "low")
# Ratings (residual risk and finding severity) from mildest to worst, so "one step worse" is +1.
RATINGS = ("low", "medium", "high", "critical")
# Rule 8: while the score is provisional (the buyer has not reviewed every answer) residual risk
# is never below this: unreviewed evidence cannot show that a vendor is low risk.
PROVISIONAL_RESIDUAL_FLOOR = "medium"
GAP_BANDS = ("none", "minor", "major", "severe")

DEFAULT_TARGETS: Mapping[str, int] = MappingProxyType(
    {"critical": 4, "high": 3, "medium": 2, "low": 1}
)

DEFAULT_RESIDUAL_MATRIX: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "critical": MappingProxyType(
            {"none": "medium", "minor": "high", "major": "critical", "severe": "critical"}
        ),
        "high": MappingProxyType(
            {"none": "low", "minor": "medium", "major": "high", "severe": "critical"}
        ),
        "medium": MappingProxyType(
            {"none": "low", "minor": "low", "major": "medium", "severe": "high"}
        ),
        "low": MappingProxyType(
            {"none": "low", "minor": "low", "major": "low", "severe": "medium"}
        ),
    }
)


def gap_band(gap: float) -> str:
    """none: at or above target; minor: up to 1 level short; major: up to 2; severe: more."""
    if gap <= 0:
        return "none"
    if gap <= 1:
        return "minor"
    if gap <= 2:
        return "major"
    return "severe"


@dataclass(frozen=True, slots=True)
class DomainSpec:
    """A group of controls scored together; a control belongs to the first domain that matches it.

    A control id matches a prefix when it equals it or continues it with ".", "(" or " "
    ("A.6" takes "A.6.2.6" but not "A.60"; "Art. 30" takes "Art. 30(2)(c)").
    """

    key: str
    title: str
    framework: str
    prefixes: tuple[str, ...]
    weight: float = 1.0

    def matches(self, framework: str, control_id: str) -> bool:
        if framework != self.framework:
            return False
        for prefix in self.prefixes:
            if control_id == prefix:
                return True
            if control_id.startswith(prefix) and control_id[len(prefix)] in ".( ":
                return True
        return False


_ANNEX_A = (
    ("A.2", "Policies related to AI"),
    ("A.3", "Internal organization"),
    ("A.4", "Resources for AI systems"),
    ("A.5", "Assessing impacts of AI systems"),
    ("A.6", "AI system life cycle"),
    ("A.7", "Data for AI systems"),
    ("A.8", "Information for interested parties of AI systems"),
    ("A.9", "Use of AI systems"),
    ("A.10", "Third-party and customer relationships"),
)
_CLAUSES = (
    ("4", "Context of the organization"),
    ("5", "Leadership"),
    ("6", "Planning"),
    ("7", "Support"),
    ("8", "Operation"),
    ("9", "Performance evaluation"),
    ("10", "Improvement"),
)

DEFAULT_DOMAINS: tuple[DomainSpec, ...] = (
    *(DomainSpec(f"iso42001:{g}", f"{g} {t}", "iso42001", (g,)) for g, t in _ANNEX_A),
    *(DomainSpec(f"iso42001:{c}", f"Clause {c} {t}", "iso42001", (c,)) for c, t in _CLAUSES),
    DomainSpec("dora:contractual", "DORA contractual provisions (Art. 30)", "dora", ("Art. 30",)),
    DomainSpec(
        "dora:third_party_risk",
        "DORA ICT third-party risk (Art. 28–29)",
        "dora",
        ("Art. 28", "Art. 29"),
    ),
    DomainSpec(
        "ai_act:high_risk",
        "AI Act duties of high-risk systems",
        "ai_act",
        tuple(f"Art. {n}" for n in (*range(9, 21), 26, 27, 72, 73)),
    ),
    DomainSpec("ai_act:duties", "AI Act general duties", "ai_act", ("Art.", "Annex")),
)
# Domains judged otherwise than by their mean (docs/scoring.md rules 10 and 11): the Art. 30
# clauses yes/partly/no per contract, the high-risk duties one by one. Neither is part of the
# residual basis nor raises a "domain below target" finding.
CLAUSE_DOMAIN = "dora:contractual"
DUTY_DOMAIN = "ai_act:high_risk"
# A high-risk duty is met from this level ("Documented and communicated"), whatever the tier.
DUTY_LEVEL = 3
# Duties whose gap is critical when the buyer classifies the system high-risk.
CRITICAL_DUTIES = frozenset(f"Art. {n}" for n in (*range(9, 18), 26))
# Evidence the buyer has not reviewed yet supports at most this level.
UNREVIEWED_EVIDENCE_MAX = 3
# Severity of a domain below target by tier and gap band, one step more when a control below
# target in it is critical, never above high (critical: CRITICAL_DOMAIN_LEVEL). Milder than the
# residual matrix: one weak domain among sixteen is something to fix, not the vendor's rating.
DEFAULT_FINDING_SEVERITY: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "critical": MappingProxyType({"minor": "medium", "major": "high", "severe": "high"}),
        "high": MappingProxyType({"minor": "medium", "major": "medium", "severe": "high"}),
        "medium": MappingProxyType({"minor": "low", "major": "medium", "severe": "medium"}),
        "low": MappingProxyType({"minor": "low", "major": "low", "severe": "medium"}),
    }
)
# A critical-tier vendor with a domain at or below this level has a critical finding.
CRITICAL_DOMAIN_LEVEL = 1.0


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    """Everything the model is parameterised by. `as_of` dates evidence expiry: the model never
    reads the clock, so a score is reproducible from its inputs."""

    as_of: date
    model_version: str = MODEL_VERSION
    target_by_tier: Mapping[str, int] = field(default_factory=lambda: DEFAULT_TARGETS)
    residual_matrix: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: DEFAULT_RESIDUAL_MATRIX
    )
    domains: tuple[DomainSpec, ...] = DEFAULT_DOMAINS
    # Weight of a control inside its domain, by finding key ("iso42001:A.6.2.6"); default 1.
    control_weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for tier in TIERS:
            target = self.target_by_tier.get(tier)
            if target is None or not 0 <= target <= 5:
                raise ValueError(f"target_by_tier needs a 0..5 target for {tier!r}")
            row = self.residual_matrix.get(tier, {})
            for band in GAP_BANDS:
                if row.get(band) not in RATINGS:
                    raise ValueError(
                        f"residual_matrix[{tier!r}][{band!r}] must be one of {RATINGS}"
                    )
        keys = [d.key for d in self.domains]
        if len(keys) != len(set(keys)):
            raise ValueError("domain keys must be unique")
        if any(not d.weight > 0 for d in self.domains):
            raise ValueError("domain weights must be > 0")
        if any(not w > 0 for w in self.control_weights.values()):
            raise ValueError("control weights must be > 0")

    def structure(self) -> tuple[object, ...]:
        """Everything except as_of: what a compiled model depends on."""
        return (
            self.model_version,
            self.target_by_tier,
            self.residual_matrix,
            self.domains,
            self.control_weights,
        )
