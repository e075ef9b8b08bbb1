"""The PDF receipt a vendor gets for a submission (pure: data in, PDF bytes out).

It records what was submitted — every answer as the vendor saw it and the SHA-256 of every file —
so the vendor holds proof of exactly what the buyer received.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


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


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def build_receipt(data: ReceiptData) -> bytes:
    """A4 PDF: header facts, the attestation, then each section's answers and file hashes."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    mono = ParagraphStyle("mono", parent=small, fontName="Courier", fontSize=7, leading=9)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Submission receipt – assessment {data.assessment_id}",
        author="Assay",
    )
    story: list = [
        _p("Submission receipt", styles["Title"]),
        _p(data.questionnaire, styles["Heading3"]),
    ]
    facts = [
        ("Assessment", f"#{data.assessment_id}"),
        ("Submitted by", f"{data.vendor}"),
        ("Submitted to", data.buyer),
        ("Submitted at (UTC)", data.submitted_at),
        ("Attested by", f"{data.signer_name}, {data.signer_title} <{data.signer_email}>"),
    ]
    table = Table(
        [[_p(k, small), _p(v, body)] for k, v in facts], colWidths=[40 * mm, None], hAlign="LEFT"
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 4 * mm), _p(data.statement, small), Spacer(1, 6 * mm)]
    for section in data.sections:
        story.append(_p(section.title, styles["Heading2"]))
        for item in section.answers:
            story.append(_p(f"{item.text}  [{item.key}]", ParagraphStyle("q", parent=body)))
            story.append(_p(item.answer, ParagraphStyle("a", parent=body, leftIndent=6 * mm)))
            if item.comment:
                story.append(
                    _p(
                        f"Comment: {item.comment}",
                        ParagraphStyle("c", parent=small, leftIndent=6 * mm),
                    )
                )
            if item.files:
                rows = [
                    [_p(f.filename, small), _p(f"{f.size:,} bytes", small), _p(f.sha256, mono)]
                    for f in item.files
                ]
                files = Table(rows, colWidths=[50 * mm, 22 * mm, None], hAlign="LEFT")
                files.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                            ("LEFTPADDING", (0, 0), (0, -1), 6 * mm),
                        ]
                    )
                )
                story.append(files)
            story.append(Spacer(1, 3 * mm))
    doc.build(story)
    return buffer.getvalue()
