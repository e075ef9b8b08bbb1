"""The test processes themselves: a pytest-xdist worker ends well within the 5 s execnet gives
it before interrupting it (see `pytest_sessionfinish` in tests/conftest.py)."""

from __future__ import annotations

import gc

from tests.conftest import pytest_sessionfinish


def test_after_the_session_the_collections_have_almost_nothing_left_to_walk():
    long_lived = [[n] for n in range(200_000)]  # the state a worker holds at the end of a run
    tracked = len(gc.get_objects())
    try:
        pytest_sessionfinish()
        assert gc.get_freeze_count() >= len(long_lived)
        assert len(gc.get_objects()) < tracked // 10
    finally:
        gc.unfreeze()
