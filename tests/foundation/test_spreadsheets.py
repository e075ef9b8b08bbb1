"""safe_text: the formula-injection and control-character rules every export relies on."""

from __future__ import annotations

import pytest

from app.spreadsheets import safe_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-1+1", "'-1+1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\x00=1+1", "'=1+1"),  # dropping a control character must not uncover a formula
        ("a\x01b\x08c\x0bd\x0ce\x1ff", "abcdef"),
        ("line one\nline two\ttab\rcr", "line one\nline two\ttab\rcr"),
        ("Müller\xa0GmbH – 株式会社", "Müller\xa0GmbH – 株式会社"),  # not printable, still legal
        ("Acme Ltd", "Acme Ltd"),
        ("", ""),
        ("a = b", "a = b"),
    ],
)
def test_text(text: str, expected: str) -> None:
    assert safe_text(text) == expected


@pytest.mark.parametrize("value", [None, 0, 3.5, True])
def test_other_values_unchanged(value: object) -> None:
    assert safe_text(value) is value


def test_every_control_character_openpyxl_refuses_is_dropped() -> None:
    refused = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32)))
    assert safe_text(f"a{refused}b") == "ab"
