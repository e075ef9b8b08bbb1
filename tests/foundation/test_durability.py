"""SQLite commits survive a power loss: every connection runs with synchronous=FULL (the
benchmark in bench/durability.py measured its cost); a bad override is refused by name."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import make_engine


def _synchronous(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text("PRAGMA synchronous")).scalar()
    engine.dispose()
    return value


def test_sqlite_connections_are_fully_synchronous(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSAY_SQLITE_SYNCHRONOUS", raising=False)
    assert _synchronous(f"sqlite:///{tmp_path / 'a.db'}") == 2  # FULL
    monkeypatch.setenv("ASSAY_SQLITE_SYNCHRONOUS", "normal")
    assert _synchronous(f"sqlite:///{tmp_path / 'b.db'}") == 1  # NORMAL, for the comparison


def test_an_unknown_setting_is_refused_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSAY_SQLITE_SYNCHRONOUS", "OFF; DROP TABLE x")
    with pytest.raises(ValueError, match="ASSAY_SQLITE_SYNCHRONOUS: use one of FULL, NORMAL"):
        _synchronous(f"sqlite:///{tmp_path / 'c.db'}")
