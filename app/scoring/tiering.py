"""Inherent risk tier: how much the buyer relies on the vendor before looking at any answer."""

from __future__ import annotations

from typing import NamedTuple

from app.scoring.inputs import VendorProfile

CRITICAL_FUNCTION_POINTS = 4
HIGH_RISK_AI_POINTS = 3
NATURAL_PERSONS_POINTS = 1
THIRD_COUNTRY_POINTS = 1
SENSITIVITY_POINTS = {"public": 0, "internal": 1, "confidential": 2, "restricted": 3}
SUBSTITUTABILITY_POINTS = {"easy": 0, "medium": 1, "difficult": 2, "impossible": 3}
# (minimum number of other vendors sharing a provider, points), highest first.
CONCENTRATION_POINTS = ((3, 2), (1, 1), (0, 0))
# (minimum points, tier), highest first.
TIER_THRESHOLDS = ((9, "critical"), (6, "high"), (3, "medium"), (0, "low"))
_TIER_ORDER = ("low", "medium", "high", "critical")


class TierAssessment(NamedTuple):
    tier: str
    points: int
    reasons: tuple[str, ...]


def inherent_tier(profile: VendorProfile) -> TierAssessment:
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
    add(SENSITIVITY_POINTS[profile.data_sensitivity], f"{profile.data_sensitivity} data")
    if profile.ai_act_high_risk_use:
        add(HIGH_RISK_AI_POINTS, "high-risk use under the AI Act")
    if profile.affects_natural_persons:
        add(NATURAL_PERSONS_POINTS, "decisions affect natural persons")
    add(
        SUBSTITUTABILITY_POINTS[profile.substitutability],
        f"substitutability {profile.substitutability}",
    )
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
