"""Pure parts of the audit trail: canonical hashing, normalised data, readable data lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from app.audit.chain import GENESIS_HASH, event_hash, normalise
from app.audit.present import DataLine, compact, data_lines

FIELDS = {
    "chain": "org:1",
    "sequence": 1,
    "organisation_id": 1,
    "actor_id": 2,
    "actor_label": "a@bank.example",
    "action": "vendor.updated",
    "object_type": "vendor",
    "object_id": "7",
    "data": {"b": 1, "a": [1.5, "é"]},
    "ip": "192.0.2.1",
    "at": datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC),
    "prev_hash": GENESIS_HASH,
}


def test_hash_ignores_key_order_but_not_content():
    reordered = {**FIELDS, "data": {"a": [1.5, "é"], "b": 1}}
    assert event_hash(**FIELDS) == event_hash(**reordered)
    assert event_hash(**FIELDS) != event_hash(**{**FIELDS, "data": {"a": [1.5, "e"], "b": 1}})
    assert event_hash(**FIELDS) != event_hash(**{**FIELDS, "prev_hash": "1" * 64})


def test_the_same_instant_in_another_zone_or_naive_utc_hashes_the_same():
    at = FIELDS["at"]
    cet = at.astimezone(timezone(timedelta(hours=1)))
    naive = at.replace(tzinfo=None)
    assert event_hash(**FIELDS) == event_hash(**{**FIELDS, "at": cet})
    assert event_hash(**FIELDS) == event_hash(**{**FIELDS, "at": naive})
    later = at + timedelta(microseconds=1)
    assert event_hash(**FIELDS) != event_hash(**{**FIELDS, "at": later})


def test_normalise_gives_what_a_json_column_returns():
    data = {
        1: ("a", 2),
        "when": datetime(2026, 1, 2, tzinfo=UTC),
        "nan": float("nan"),
        "inf": [float("-inf")],
        "lone": "x\ud800y",
        "emoji": "🙂 Zürich",
    }
    normal = normalise(data)
    assert normal["1"] == ["a", 2]
    assert normal["when"] == "2026-01-02 00:00:00+00:00"
    assert normal["nan"] == "nan" and normal["inf"] == ["-inf"]
    assert "\ud800" not in normal["lone"] and normal["lone"].startswith("x")
    assert normal["emoji"] == "🙂 Zürich"
    # strict JSON (what PostgreSQL accepts) that loads back to the same value
    assert json.loads(json.dumps(normal, allow_nan=False)) == normal
    assert normalise(normal) == normal


def test_before_and_after_become_changed_fields_only():
    lines = data_lines(
        {"before": {"name": "Old", "tier": "low"}, "after": {"name": "New", "tier": "low"}}
    )
    assert lines == [DataLine("name", "New", "Old")]
    assert lines[0].is_change


def test_scalar_changes_and_plain_fields():
    lines = data_lines({"from": "sent", "to": "submitted", "reason": None, "version": 3})
    assert lines == [
        DataLine("status", "submitted", "sent"),
        DataLine("reason", "—"),
        DataLine("version", "3"),
    ]
    assert data_lines({"before": 1, "after": 2}) == [DataLine("change", "2", "1")]


def test_long_values_are_shortened():
    text = compact({"text": "x" * 500})
    assert len(text) == 200 and text.endswith("…")
