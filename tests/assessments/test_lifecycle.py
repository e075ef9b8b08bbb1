"""The state machine allows exactly the documented steps, each only from the right side."""

from __future__ import annotations

import pytest

from app.assessments.lifecycle import TRANSITIONS, Side, available, check_transition
from app.errors import InvalidTransition
from app.models import AssessmentStatus as S

HAPPY_PATH = [
    ("send", Side.buyer, S.sent),
    ("start", Side.vendor, S.in_progress),
    ("submit", Side.vendor, S.submitted),
    ("begin_review", Side.buyer, S.under_review),
    ("request_clarification", Side.buyer, S.clarification_requested),
    ("resume", Side.vendor, S.in_progress),
    ("submit", Side.vendor, S.submitted),
    ("begin_review", Side.buyer, S.under_review),
    ("complete", Side.buyer, S.completed),
]


def test_the_whole_lifecycle_in_order():
    status = S.draft
    for name, side, expected in HAPPY_PATH:
        status = check_transition(status, name, side=side, reason="because")
        assert status == expected


@pytest.mark.parametrize("status", [s for s in S if s not in (S.completed, S.cancelled)])
def test_cancel_from_every_open_state(status):
    assert check_transition(status, "cancel", side=Side.buyer, reason="vendor offboarded") == (
        S.cancelled
    )


@pytest.mark.parametrize("status", [S.completed, S.cancelled])
def test_closed_assessments_cannot_be_cancelled(status):
    with pytest.raises(InvalidTransition, match="Cannot cancel"):
        check_transition(status, "cancel", side=Side.buyer, reason="x")


def test_every_invalid_pair_is_refused():
    allowed = {(name, s) for name, t in TRANSITIONS.items() for s in t.source}
    for name, transition in TRANSITIONS.items():
        for status in S:
            if (name, status) in allowed:
                continue
            with pytest.raises(InvalidTransition):
                check_transition(status, name, side=transition.side, reason="r")


def test_vendor_cannot_complete_and_buyer_cannot_submit():
    with pytest.raises(InvalidTransition, match="not an action for the vendor"):
        check_transition(S.under_review, "complete", side=Side.vendor)
    with pytest.raises(InvalidTransition, match="not an action for the buyer"):
        check_transition(S.in_progress, "submit", side=Side.buyer)


def test_clarification_and_reopen_need_a_reason():
    with pytest.raises(InvalidTransition, match="needs a reason"):
        check_transition(S.under_review, "request_clarification", side=Side.buyer, reason=" ")
    with pytest.raises(InvalidTransition, match="needs a reason"):
        check_transition(S.completed, "reopen", side=Side.buyer)
    assert check_transition(S.completed, "reopen", side=Side.buyer, reason="new evidence") == (
        S.under_review
    )


def test_available_lists_the_buttons_for_each_side():
    assert {t.name for t in available(S.under_review, Side.buyer)} == {
        "request_clarification",
        "complete",
        "cancel",
    }
    assert {t.name for t in available(S.in_progress, Side.vendor)} == {"submit"}
