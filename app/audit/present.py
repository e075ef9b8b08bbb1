"""Audit event data made readable: before/after pairs as changes, everything else as fields.

Pure: used by the trail page and the exports, tested without a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_VALUE_LENGTH = 200
_PAIRS = (("before", "after"), ("from", "to"))


@dataclass(frozen=True)
class DataLine:
    """One line of an event's data: a field, or a change from `before` to `value`."""

    label: str
    value: str
    before: str | None = None

    @property
    def is_change(self) -> bool:
        return self.before is not None


def compact(value: Any) -> str:
    """A value in one short line: text as is, anything else as compact JSON."""
    if value is None:
        text = "—"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    if len(text) > MAX_VALUE_LENGTH:
        text = text[: MAX_VALUE_LENGTH - 1] + "…"
    return text


def data_lines(data: dict[str, Any] | None) -> list[DataLine]:
    data = dict(data or {})
    lines: list[DataLine] = []
    for old_key, new_key in _PAIRS:
        if old_key in data and new_key in data:
            old, new = data.pop(old_key), data.pop(new_key)
            if isinstance(old, dict) and isinstance(new, dict):
                for key in sorted(set(old) | set(new)):
                    if old.get(key) != new.get(key):
                        lines.append(DataLine(key, compact(new.get(key)), compact(old.get(key))))
            elif old != new:
                label = "change" if old_key == "before" else "status"
                lines.append(DataLine(label, compact(new), compact(old)))
    lines += [DataLine(key, compact(value)) for key, value in sorted(data.items())]
    return lines
