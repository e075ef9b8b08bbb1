"""Coverage of framework items by questions, and its workbook."""

from __future__ import annotations

import textwrap
from pathlib import Path

from openpyxl import load_workbook

from app.questionnaires.coverage import (
    COVERAGE_HEADERS,
    CoverageRow,
    CoveringQuestion,
    coverage_matrix,
    gaps,
    write_coverage_xlsx,
)
from app.questionnaires.loader import parse_questionnaire
from app.questionnaires.references import REFERENCES, Reference, children, lookup
from app.spreadsheets import safe_text

SMALL = parse_questionnaire(
    textwrap.dedent(
        """\
        key: small
        version: 3
        title: Small
        sections:
          - key: s
            title: S
            questions:
              - key: s.contract
                text: Contract
                type: text
                refs: {dora: ["Art. 30(2)(a)"], iso42001: [A.2.2, "9.2.1"]}
              - key: s.policy
                text: Policy
                type: text
                refs: {iso42001: [A.2.2], ai_act: ["Art. 4"]}
        """
    ),
    "small.yaml",
)


def row(rows: list[CoverageRow], framework: str, ref_id: str) -> CoverageRow:
    return next(r for r in rows if r.reference.framework == framework and r.reference.id == ref_id)


def test_reference_lists_match_the_reference_document() -> None:
    annex_a = [r for r in REFERENCES["iso42001"].values() if r.part == "annex_a"]
    assert len(annex_a) == 38
    assert annex_a[0].id == "A.2.2" and annex_a[-1].id == "A.10.4"
    assert [r.id for r in children("dora", "Art. 30(2)")] == [
        f"Art. 30(2)({c})" for c in "abcdefghi"
    ]
    assert [r.id for r in children("dora", "Art. 30(3)")] == [f"Art. 30(3)({c})" for c in "abcdef"]
    assert len(REFERENCES["nist_ai_rmf"]) == 72
    assert lookup("iso42001", "6.1.4") is not None
    assert lookup("ai_act", "Art. 27") is not None
    assert lookup("iso42001", "A.2.1") is None  # objectives are not controls


def test_rows_list_covering_questions() -> None:
    rows = coverage_matrix([SMALL])
    assert row(rows, "iso42001", "A.2.2").question_keys == ["s.contract", "s.policy"]
    assert row(rows, "iso42001", "A.2.2").covered_by[0] == CoveringQuestion(
        "small", 3, "s.contract"
    )
    assert row(rows, "ai_act", "Art. 4").question_keys == ["s.policy"]
    assert not row(rows, "ai_act", "Art. 9").covered


def test_parent_items_are_covered_through_their_points() -> None:
    rows = coverage_matrix([SMALL])
    parent = row(rows, "dora", "Art. 30(2)")
    assert parent.covered and parent.direct == []
    assert parent.question_keys == ["s.contract"]
    assert row(rows, "iso42001", "9").question_keys == ["s.contract"]
    assert not row(rows, "dora", "Art. 30(2)(b)").covered


def test_gaps_can_be_narrowed() -> None:
    rows = coverage_matrix([SMALL])
    under = [r.reference.id for r in gaps(rows, under="Art. 30(2)")]
    assert under == [f"Art. 30(2)({c})" for c in "bcdefghi"]
    annex = gaps(rows, framework="iso42001", part="annex_a")
    assert len(annex) == 37
    assert all(r.reference.part == "annex_a" for r in annex)


def test_nist_is_only_included_on_request() -> None:
    assert not any(r.reference.framework == "nist_ai_rmf" for r in coverage_matrix([SMALL]))
    rows = coverage_matrix([SMALL], frameworks=["nist_ai_rmf"])
    assert len(rows) == 72


def test_safe_text_neutralises_formulas() -> None:
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("+44 20") == "'+44 20"
    assert safe_text("-x") == "'-x"
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("\tx") == "'\tx"
    assert safe_text("\rx") == "'\rx"
    assert safe_text("plain") == "plain"
    assert safe_text("bell\x07") == "bell"
    assert safe_text(3) == 3


def test_workbook_has_frozen_header_filter_and_rows(tmp_path: Path) -> None:
    rows = coverage_matrix([SMALL])
    path = write_coverage_xlsx(rows, tmp_path / "coverage.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == list(COVERAGE_HEADERS)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:H{len(rows) + 1}"
    assert sheet.max_row == len(rows) + 1
    by_ref = {sheet.cell(r, 4).value: r for r in range(2, sheet.max_row + 1)}
    a22 = by_ref["A.2.2"]
    assert sheet.cell(a22, 1).value == "ISO/IEC 42001:2023"
    assert sheet.cell(a22, 6).value == "yes"
    assert sheet.cell(a22, 7).value == 2
    assert sheet.cell(a22, 8).value == "s.contract (small v3)\ns.policy (small v3)"
    assert sheet.cell(by_ref["A.2.3"], 6).value == "NO"


def test_workbook_cells_cannot_become_formulas(tmp_path: Path) -> None:
    hostile = Reference("iso42001", "=cmd|' /C calc'!A0", "@evil", "annex_a", "-group")
    path = write_coverage_xlsx([CoverageRow(hostile)], tmp_path / "hostile.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    values = [c.value for c in sheet[2]]
    assert values[2:5] == ["'-group", "'=cmd|' /C calc'!A0", "'@evil"]
    assert all(c.data_type == "s" for c in sheet[2] if isinstance(c.value, str))
