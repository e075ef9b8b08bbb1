"""The assessment state machine: the one place that decides which status change is allowed.

draft → sent → in_progress → submitted → under_review → (clarification_requested → in_progress)
→ completed; cancelled from any open state; a completed assessment can be reopened (with a reason)
back to under_review.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.errors import InvalidTransition
from app.models import AssessmentStatus as S


class Side(StrEnum):
    buyer = "buyer"
    vendor = "vendor"
    system = "system"


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[S]
    target: S
    side: Side
    needs_reason: bool = False
    label: str = ""


OPEN_STATES = frozenset(
    {S.draft, S.sent, S.in_progress, S.submitted, S.under_review, S.clarification_requested}
)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("send", frozenset({S.draft}), S.sent, Side.buyer, label="Send to vendor"),
        Transition("start", frozenset({S.sent}), S.in_progress, Side.vendor, label="Start"),
        Transition("submit", frozenset({S.in_progress}), S.submitted, Side.vendor, label="Submit"),
        Transition(
            "begin_review",
            frozenset({S.submitted}),
            S.under_review,
            Side.buyer,
            label="Start review",
        ),
        Transition(
            "request_clarification",
            frozenset({S.under_review}),
            S.clarification_requested,
            Side.buyer,
            needs_reason=True,
            label="Send back for clarification",
        ),
        Transition(
            "resume",
            frozenset({S.clarification_requested}),
            S.in_progress,
            Side.vendor,
            label="Answer clarifications",
        ),
        Transition(
            "complete",
            frozenset({S.under_review}),
            S.completed,
            Side.buyer,
            label="Complete review",
        ),
        Transition(
            "reopen",
            frozenset({S.completed}),
            S.under_review,
            Side.buyer,
            needs_reason=True,
            label="Reopen",
        ),
        Transition(
            "cancel",
            OPEN_STATES,
            S.cancelled,
            Side.buyer,
            needs_reason=True,
            label="Cancel assessment",
        ),
    )
}

# Vendors may change answers only in these states.
EDITABLE_STATES = frozenset({S.sent, S.in_progress})


def check_transition(current: str, name: str, *, side: Side, reason: str | None = None) -> S:
    """The target status of transition `name` from `current`, or InvalidTransition saying why."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise InvalidTransition(f"Unknown action {name!r}.")
    if side != Side.system and transition.side != side:
        raise InvalidTransition(f"{transition.label or name} is not an action for the {side} side.")
    if S(current) not in transition.source:
        allowed = ", ".join(sorted(s.value.replace("_", " ") for s in transition.source))
        raise InvalidTransition(
            f"Cannot {transition.label.lower() or name} an assessment that is "
            f"{S(current).value.replace('_', ' ')} (only when {allowed})."
        )
    if transition.needs_reason and not (reason and reason.strip()):
        raise InvalidTransition(f"{transition.label} needs a reason.")
    return transition.target


def available(current: str, side: Side) -> list[Transition]:
    """Transitions the given side can take now, for the buttons on the page."""
    return [t for t in TRANSITIONS.values() if t.side == side and S(current) in t.source]
