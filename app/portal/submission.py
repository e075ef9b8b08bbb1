"""Submitting an assessment: what is still missing, the signed attestation, and the receipt.

Submission locks the answers with the signer's attestation, scores them provisionally and tells
the buyer, all or nothing. The receipt PDF records what was submitted (every visible answer as
the vendor saw it and the SHA-256 of every file), so the vendor holds proof of exactly what the
buyer received.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle
from sqlmodel import Session

from app.assessments import notices
from app.assessments.lifecycle import Side
from app.assessments.service import apply_transition
from app.assessments.sheet import SheetFile, SheetSection, answered_sheet
from app.errors import InvalidInput, NotFound
from app.exports import pdf
from app.exports.charts import GRID
from app.exports.pdf import CONTENT_WIDTH, para, rich, styles
from app.models import Assessment, AssessmentStatus, Organisation, User, Vendor, utcnow
from app.portal.view import anchor, section_url
from app.scoring.service import score_assessment_and_store

MAX_ATTESTATION = 200
# States in which the answers were submitted, so a receipt exists.
SUBMITTED_STATES = frozenset(
    {
        AssessmentStatus.submitted,
        AssessmentStatus.under_review,
        AssessmentStatus.clarification_requested,
        AssessmentStatus.completed,
    }
)


@dataclass(frozen=True)
class MissingItem:
    key: str
    section: str
    text: str
    reason: str
    section_url: str

    @property
    def url(self) -> str:
        return f"{self.section_url}#{anchor(self.key)}"


def missing_items(*, session: Session, assessment: Assessment) -> list[MissingItem]:
    """What stops submission: the sheet's missing items (required answers, and files the
    claimed levels call for), as the progress bar counts them."""
    sheet = answered_sheet(session=session, assessment=assessment)
    titles = {s.key: s.title for s in sheet.sections}
    return [
        MissingItem(
            item.key,
            titles[item.section_key],
            item.question.text,
            item.missing or "",
            section_url(assessment.id, item.section_key),
        )
        for item in sheet.missing
    ]


def submit(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    name: str,
    title: str,
    confirmed: bool,
    ip: str | None = None,
) -> Assessment:
    """Lock the answers with the signer's attestation and tell the buyer (all or nothing)."""
    problems = []
    name, title = name.strip(), title.strip()
    if not name:
        problems.append("Enter your name for the attestation.")
    if not title:
        problems.append("Enter your job title for the attestation.")
    if len(name) > MAX_ATTESTATION or len(title) > MAX_ATTESTATION:
        problems.append(f"Keep name and title under {MAX_ATTESTATION} characters.")
    if not confirmed:
        problems.append("Confirm that the answers are accurate and complete.")
    missing = missing_items(session=session, assessment=assessment)
    if missing:
        problems.append(f"{len(missing)} required item(s) are missing.")
    if problems:
        raise InvalidInput("The assessment cannot be submitted yet.", details=problems)
    if AssessmentStatus(assessment.status) == AssessmentStatus.sent:
        apply_transition(
            session=session, assessment=assessment, name="start", actor=actor, side=Side.vendor
        )
    assessment.attestation = {
        "name": name,
        "title": title,
        "user_id": actor.id,
        "email": actor.email,
        "at": utcnow().isoformat(),
        "statement": ATTESTATION_STATEMENT,
    }
    session.add(assessment)
    session.flush()
    apply_transition(
        session=session, assessment=assessment, name="submit", actor=actor, side=Side.vendor, ip=ip
    )
    # A provisional score from the submitted answers (docs/scoring.md): Assay scores, the vendor
    # does not, so the event has no actor; the review's completion scores it again.
    score_assessment_and_store(session=session, assessment=assessment, actor=None, ip=ip)
    notices.submitted(session=session, assessment=assessment)  # the reviewer hears of it
    return assessment


ATTESTATION_STATEMENT = (
    "I confirm that these answers and the attached evidence are accurate and complete to the best "
    "of my knowledge, and that I am authorised to submit them for my organisation."
)


def resume(*, session: Session, actor: User, assessment: Assessment, ip: str | None = None) -> None:
    """Reopen the answers to respond to the buyer's clarification request."""
    apply_transition(
        session=session, assessment=assessment, name="resume", actor=actor, side=Side.vendor, ip=ip
    )


# --- the receipt ----------------------------------------------------------------------------------


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
    sections: list[SheetSection]  # the answered sheet's: each section's shown items are printed


def receipt_pdf(*, session: Session, assessment: Assessment) -> bytes:
    """The receipt of what was submitted: every visible answer and each file's SHA-256."""
    if AssessmentStatus(assessment.status) not in SUBMITTED_STATES:
        raise NotFound("This assessment has not been submitted yet.")
    sheet = answered_sheet(session=session, assessment=assessment)
    organisation = session.get(Organisation, assessment.organisation_id)
    vendor = session.get(Vendor, assessment.vendor_id)
    attestation = assessment.attestation or {}
    submitted_at = assessment.submitted_at
    return build_receipt(
        ReceiptData(
            assessment_id=assessment.id,
            questionnaire=sheet.questionnaire.definition.title,
            buyer=organisation.name if organisation else "",
            vendor=vendor.legal_name if vendor else "",
            submitted_at=submitted_at.strftime("%Y-%m-%d %H:%M") if submitted_at else "—",
            signer_name=attestation.get("name", ""),
            signer_title=attestation.get("title", ""),
            signer_email=attestation.get("email", ""),
            statement=attestation.get("statement", ATTESTATION_STATEMENT),
            sections=sheet.sections,
        )
    )


def _files_table(files: list[SheetFile]) -> Table:
    s = styles()
    rows = [
        [
            rich([(f.evidence.filename, "b"), (f"\n{f.evidence.size:,} bytes", "muted")], s.cell),
            para(f.evidence.sha256, s.mono),
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
        for item in section.shown:
            block: list = [
                rich([(item.question.text, "b"), (f"  {item.key}", "muted")], s.body),
                rich([("Answer: ", "muted"), (item.display, "")], s.indented),
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
