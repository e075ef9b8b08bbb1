"""Pure hashing of audit events: canonical encoding and SHA-256 links.

The hash is recomputed from database rows by `verify`, so everything hashed must come back from
SQLite and PostgreSQL exactly as it went in: `normalise` turns event data into the JSON the
database will return, and timestamps are hashed in UTC at microsecond precision.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def _finite(value: Any) -> Any:
    """NaN and infinities are not JSON (PostgreSQL refuses them): keep them as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def normalise(data: Any) -> Any:
    """The JSON form the database will give back, so the hash can be recomputed from a row.

    Keys become strings, tuples lists, dates and decimals text; non-finite floats become text and
    lone surrogates (not encodable as UTF-8) become U+FFFD.
    """
    text = json.dumps(_finite(data), default=str, ensure_ascii=False, allow_nan=False)
    text = text.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")
    return json.loads(text)


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def hash_time(at: datetime) -> str:
    """The timestamp as hashed: UTC (a naive value is taken as UTC), microseconds."""
    at = at.replace(tzinfo=UTC) if at.utcoffset() is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def event_hash(
    *,
    chain: str,
    sequence: int,
    organisation_id: int | None,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict,
    ip: str | None,
    at: datetime,
    prev_hash: str,
) -> str:
    payload = canonical(
        {
            "chain": chain,
            "sequence": sequence,
            "organisation_id": organisation_id,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
            "ip": ip,
            "at": hash_time(at),
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(prev_hash.encode() + payload).hexdigest()
