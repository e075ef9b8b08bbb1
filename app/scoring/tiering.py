"""Inherent risk tier: how much the buyer relies on the vendor before looking at any answer."""

from __future__ import annotations

from typing import NamedTuple

from app.models.vendor import DataSensitivity, Substitutability
from app.scoring.inputs import RiskProfile

CRITICAL_FUNCTION_POINTS = 4
HIGH_RISK_AI_POINTS = 3
NATURAL_PERSONS_POINTS = 1
THIRD_COUNTRY_POINTS = 1
# Points per register value, with the word the tier's reasons (and docs/scoring.md) use for it.
# Stored scores carry these words, so they stay as they are.
SENSITIVITY_POINTS = {
    DataSensitivity.none: (0, "public"),
    DataSensitivity.low: (1, "internal"),
    DataSensitivity.medium: (2, "confidential"),
    DataSensitivity.high: (3, "restricted"),
}
SUBSTITUTABILITY_POINTS = {
    Substitutability.easy: (0, "easy"),
    Substitutability.medium: (1, "medium"),
    Substitutability.highly_complex: (2, "difficult"),
    Substitutability.not_substitutable: (3, "impossible"),
}
# (minimum number of other vendors sharing a provider, points), highest first.
CONCENTRATION_POINTS = ((3, 2), (1, 1), (0, 0))
# (minimum points, tier), highest first.
TIER_THRESHOLDS = ((9, "critical"), (6, "high"), (3, "medium"), (0, "low"))
_TIER_ORDER = ("low", "medium", "high", "critical")


class TierAssessment(NamedTuple):
    tier: str
    points: int
    reasons: tuple[str, ...]


def inherent_tier(profile: RiskProfile) -> TierAssessment:
    """Points from the profile, mapped to a tier; a DORA critical function or an AI Act
    high-risk use is never below "high" whatever the points."""
    points = 0
    reasons: list[str] = []

    def add(n: int, why: str) -> None:
        nonlocal points
        points += n
        reasons.append(f"+{n} {why}")

    if profile.supports_critical_function:
        add(CRITICAL_FUNCTION_POINTS, "supports a critical or important function (DORA)")
    sensitivity, word = SENSITIVITY_POINTS[profile.data_sensitivity]
    add(sensitivity, f"{word} data")
    if profile.ai_act_high_risk_use:
        add(HIGH_RISK_AI_POINTS, "high-risk use under the AI Act")
    if profile.affects_natural_persons:
        add(NATURAL_PERSONS_POINTS, "decisions affect natural persons")
    substitutability, word = SUBSTITUTABILITY_POINTS[profile.substitutability]
    add(substitutability, f"substitutability {word}")
    shared = profile.concentration_shared_providers
    conc = next(p for minimum, p in CONCENTRATION_POINTS if shared >= minimum)
    add(conc, f"{shared} other vendor(s) share a model or cloud provider")
    if profile.third_country_processing:
        add(THIRD_COUNTRY_POINTS, "processing or subcontracting in a third country")

    tier = next(t for minimum, t in TIER_THRESHOLDS if points >= minimum)
    floor = None
    if profile.supports_critical_function:
        floor = "critical or important function"
    elif profile.ai_act_high_risk_use:
        floor = "AI Act high-risk use"
    if floor and _TIER_ORDER.index(tier) < _TIER_ORDER.index("high"):
        reasons.append(f"raised from {tier} to high: {floor}")
        tier = "high"
    return TierAssessment(tier, points, tuple(reasons))
