"""Which questions cover which framework items, and which items nothing covers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.questionnaires.references import FRAMEWORK_TITLES, REFERENCES, Reference
from app.questionnaires.schema import Questionnaire
from app.spreadsheets import safe_text

# The frameworks a questionnaire is expected to cover; NIST AI RMF is cited but optional.
DEFAULT_FRAMEWORKS: tuple[str, ...] = ("iso42001", "dora", "ai_act")

PART_TITLES: dict[str, str] = {
    "clauses": "AIMS clauses 4–10",
    "annex_a": "Annex A controls",
    "art_28": "Art. 28",
    "art_29": "Art. 29",
    "art_30": "Art. 30",
    "articles": "Articles",
    "govern": "GOVERN",
    "map": "MAP",
    "measure": "MEASURE",
    "manage": "MANAGE",
}


@dataclass(frozen=True)
class CoveringQuestion:
    questionnaire: str
    version: int
    question: str

    def __str__(self) -> str:
        return f"{self.question} ({self.questionnaire} v{self.version})"


@dataclass
class CoverageRow:
    """One framework item and the questions that cover it.

    `direct` cite the item itself; `covered_by` adds what cites its sub-items (Art. 30(2) is
    covered where its points are).
    """

    reference: Reference
    direct: list[CoveringQuestion] = field(default_factory=list)
    covered_by: list[CoveringQuestion] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)

    @property
    def question_keys(self) -> list[str]:
        return [c.question for c in self.covered_by]


def coverage_matrix(
    questionnaires: Iterable[Questionnaire], frameworks: Sequence[str] = DEFAULT_FRAMEWORKS
) -> list[CoverageRow]:
    """A row for every reference item of the given frameworks, in document order."""
    direct: dict[tuple[str, str], list[CoveringQuestion]] = {}
    for questionnaire in questionnaires:
        for question in questionnaire.questions():
            covering = CoveringQuestion(questionnaire.key, questionnaire.version, question.key)
            for framework, ref_id in question.refs.items():
                direct.setdefault((framework, ref_id), []).append(covering)

    rows: list[CoverageRow] = []
    for framework in frameworks:
        items = REFERENCES[framework]
        for ref in items.values():
            covered_by: list[CoveringQuestion] = []
            for ref_id in [ref.id, *_descendants(framework, ref.id)]:
                for covering in direct.get((framework, ref_id), []):
                    if covering not in covered_by:
                        covered_by.append(covering)
            rows.append(CoverageRow(ref, list(direct.get((framework, ref.id), [])), covered_by))
    return rows


def _descendants(framework: str, ref_id: str) -> list[str]:
    found: list[str] = []
    for ref in REFERENCES[framework].values():
        parent = ref.parent
        while parent is not None:
            if parent == ref_id:
                found.append(ref.id)
                break
            parent = REFERENCES[framework][parent].parent
    return found


def gaps(
    rows: Iterable[CoverageRow],
    *,
    framework: str | None = None,
    part: str | None = None,
    under: str | None = None,
) -> list[CoverageRow]:
    """The rows nothing covers, optionally narrowed to a framework, a part, or one item's points.

    `under="Art. 30(2)"` keeps Art. 30(2) and its points (a)–(i).
    """
    selected = []
    for row in rows:
        ref = row.reference
        if framework is not None and ref.framework != framework:
            continue
        if part is not None and ref.part != part:
            continue
        if under is not None and ref.id != under and under not in _ancestors(ref):
            continue
        if not row.covered:
            selected.append(row)
    return selected


def _ancestors(ref: Reference) -> list[str]:
    found = []
    parent = ref.parent
    while parent is not None:
        found.append(parent)
        parent = REFERENCES[ref.framework][parent].parent
    return found


COVERAGE_HEADERS = (
    "Framework",
    "Part",
    "Group",
    "Reference",
    "Title",
    "Covered",
    "Question count",
    "Questions",
)


def write_coverage_xlsx(rows: Iterable[CoverageRow], path: str | Path) -> Path:
    """Write the coverage matrix as a workbook: one row per item, header frozen, autofilter on."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Coverage"
    sheet.append(list(COVERAGE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        ref = row.reference
        sheet.append(
            [
                safe_text(FRAMEWORK_TITLES[ref.framework]),
                safe_text(PART_TITLES.get(ref.part, ref.part)),
                safe_text(ref.group),
                safe_text(ref.id),
                safe_text(ref.title),
                "yes" if row.covered else "NO",
                len(row.covered_by),
                safe_text("\n".join(str(c) for c in row.covered_by)),
            ]
        )
        count += 1
    for column, width in zip("ABCDEFGH", (24, 18, 44, 16, 52, 9, 10, 70), strict=True):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COVERAGE_HEADERS))}{count + 1}"
    path = Path(path)
    workbook.save(path)
    return path
