"""Cell values that are safe to put in a spreadsheet someone else will open."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (CSV/formula injection).

    Text starting with = + - @ tab or CR gets a leading single quote; control characters openpyxl
    refuses are dropped. Anything that is not text is returned unchanged.
    """
    if not isinstance(value, str):
        return value
    # Every character openpyxl refuses is a control character, so printable text (most cells)
    # skips the regular expression: exports call this for every text cell.
    if not value.isprintable():
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
