"""The PDF receipt a vendor gets for a submission (pure: data in, PDF bytes out).

It records what was submitted — every answer as the vendor saw it and the SHA-256 of every file —
so the vendor holds proof of exactly what the buyer received.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from app.exports import pdf
from app.exports.charts import GRID
from app.exports.pdf import CONTENT_WIDTH, para, rich, styles


@dataclass(frozen=True)
class ReceiptFile:
    filename: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ReceiptAnswer:
    key: str
    text: str
    answer: str
    comment: str | None = None
    files: list[ReceiptFile] = field(default_factory=list)


@dataclass(frozen=True)
class ReceiptSection:
    title: str
    answers: list[ReceiptAnswer]


@dataclass(frozen=True)
class ReceiptData:
    assessment_id: int
    questionnaire: str
    buyer: str
    vendor: str
    submitted_at: str
    signer_name: str
    signer_title: str
    signer_email: str
    statement: str
    sections: list[ReceiptSection]


def _files_table(files: list[ReceiptFile]) -> Table:
    s = styles()
    rows = [
        [
            rich([(f.filename, "b"), (f"\n{f.size:,} bytes", "muted")], s.cell),
            para(f.sha256, s.mono),
        ]
        for f in files
    ]
    table = Table(rows, colWidths=[CONTENT_WIDTH - 100 * mm, 95 * mm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
                ("BACKGROUND", (0, 0), (-1, -1), pdf.ZEBRA),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def build_receipt(data: ReceiptData) -> bytes:
    """A4 PDF: header facts, the attestation, then each section's answers and file hashes."""
    s = styles()
    story: list = [
        para("Submission receipt", s.title),
        para(data.questionnaire, s.subtitle),
        pdf.facts_table(
            [
                ("Assessment", f"#{data.assessment_id}"),
                ("Submitted by", data.vendor),
                ("Submitted to", data.buyer),
                ("Submitted at (UTC)", data.submitted_at),
                ("Attested by", f"{data.signer_name}, {data.signer_title} <{data.signer_email}>"),
            ]
        ),
        Spacer(1, 3 * mm),
        rich([("Statement: ", "muted"), (data.statement, "i")], s.body),
        Spacer(1, 4 * mm),
    ]
    for section in data.sections:
        story.append(para(section.title, s.h2))
        for item in section.answers:
            block: list = [
                rich([(item.text, "b"), (f"  {item.key}", "muted")], s.body),
                rich([("Answer: ", "muted"), (item.answer, "")], s.indented),
            ]
            if item.comment:
                block.append(rich([("Comment: ", "muted"), (item.comment, "")], s.indented))
            if item.files:
                block += [Spacer(1, 1 * mm), _files_table(item.files)]
            block.append(Spacer(1, 2.5 * mm))
            story.append(KeepTogether(block))
    return pdf.build(
        story,
        title=f"Submission receipt – assessment {data.assessment_id}",
        subject=data.questionnaire,
        header=f"Submission receipt · assessment #{data.assessment_id} · {data.vendor}",
        header_right=f"submitted to {data.buyer}",
        footer=f"Submitted {data.submitted_at} UTC · Assay",
    )
