"""Submitting an assessment: what is still missing, the signed attestation, and the receipt.

Submission locks the answers with the signer's attestation, scores them provisionally and tells
the buyer, all or nothing. The receipt PDF records what was submitted (every visible answer as
the vendor saw it and the SHA-256 of every file), so the vendor holds proof of exactly what the
buyer received.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle
from sqlmodel import Session

from app.assessments.answers import display_value, is_answered
from app.assessments.context import values_with_facts
from app.assessments.lifecycle import Side
from app.assessments.service import answers_of, apply_transition, evidence_keys
from app.config import get_settings
from app.errors import InvalidInput, NotFound
from app.exports import pdf
from app.exports.charts import GRID
from app.exports.pdf import CONTENT_WIDTH, para, rich, styles
from app.models import Assessment, AssessmentStatus, Organisation, User, Vendor, utcnow
from app.notifications.service import queue_email
from app.portal.view import anchor, attached_evidence, evidence_required
from app.questionnaires.schema import QuestionType
from app.questionnaires.service import questionnaire_of
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

    @property
    def anchor(self) -> str:
        return anchor(self.key)


def missing_items(*, session: Session, assessment: Assessment) -> list[MissingItem]:
    """What stops submission: required visible answers, and files the claimed levels call for."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    values = {
        k: a.value for k, a in answers_of(session=session, assessment_id=assessment.id).items()
    }
    with_files = evidence_keys(session=session, assessment_id=assessment.id)
    visible = questionnaire.visible_keys(
        values_with_facts(session=session, vendor_id=assessment.vendor_id, values=values)
    )
    missing = []
    for section in questionnaire.definition.sections:
        for question in section.questions:
            if question.key not in visible:
                continue
            value = values.get(question.key)
            if question.type == QuestionType.evidence_only:
                if question.required and question.key not in with_files:
                    missing.append(
                        MissingItem(question.key, section.title, question.text, "Attach a file.")
                    )
                continue
            if question.required and not is_answered(question, value):
                missing.append(
                    MissingItem(question.key, section.title, question.text, "Answer required.")
                )
            elif evidence_required(question, value) and question.key not in with_files:
                missing.append(
                    MissingItem(
                        question.key,
                        section.title,
                        question.text,
                        "Your answer needs supporting evidence: attach at least one file.",
                    )
                )
    return missing


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
    _notify_buyer(session, assessment)
    return assessment


ATTESTATION_STATEMENT = (
    "I confirm that these answers and the attached evidence are accurate and complete to the best "
    "of my knowledge, and that I am authorised to submit them for my organisation."
)


def _notify_buyer(session: Session, assessment: Assessment) -> None:
    """Email the assessment's creator (queued in this transaction)."""
    creator = session.get(User, assessment.created_by_id) if assessment.created_by_id else None
    if creator is None or not creator.active:
        return
    vendor = session.get(Vendor, assessment.vendor_id)
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    queue_email(
        session=session,
        to=creator.email,
        subject=f"{vendor.legal_name if vendor else 'A vendor'} submitted its assessment",
        template="portal_assessment_submitted",
        context={
            "recipient": creator.name,
            "vendor": vendor.legal_name if vendor else "",
            "questionnaire": questionnaire.definition.title,
            "assessment_id": assessment.id,
            "signer": (assessment.attestation or {}).get("name", ""),
            "url": f"{get_settings().base_url.rstrip('/')}/assessments/{assessment.id}",
        },
        kind="assessment_submitted",
        organisation_id=assessment.organisation_id,
        assessment_id=assessment.id,
    )


def resume(*, session: Session, actor: User, assessment: Assessment, ip: str | None = None) -> None:
    """Reopen the answers to respond to the buyer's clarification request."""
    apply_transition(
        session=session, assessment=assessment, name="resume", actor=actor, side=Side.vendor, ip=ip
    )


# --- the receipt ----------------------------------------------------------------------------------


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


def receipt_pdf(*, session: Session, assessment: Assessment) -> bytes:
    """The receipt of what was submitted: every visible answer and each file's SHA-256."""
    if AssessmentStatus(assessment.status) not in SUBMITTED_STATES:
        raise NotFound("This assessment has not been submitted yet.")
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    answers = answers_of(session=session, assessment_id=assessment.id)
    values = {k: a.value for k, a in answers.items()}
    visible = questionnaire.visible_keys(
        values_with_facts(session=session, vendor_id=assessment.vendor_id, values=values)
    )
    files = attached_evidence(session=session, assessment_id=assessment.id, today=utcnow().date())
    sections = []
    for section in questionnaire.definition.sections:
        items = []
        for question in section.questions:
            if question.key not in visible:
                continue
            answer = answers.get(question.key)
            items.append(
                ReceiptAnswer(
                    key=question.key,
                    text=question.text,
                    answer=display_value(question, answer.value if answer else None),
                    comment=answer.comment if answer else None,
                    files=[
                        ReceiptFile(a.evidence.filename, a.evidence.sha256, a.evidence.size)
                        for a in files.get(question.key, [])
                    ],
                )
            )
        sections.append(ReceiptSection(section.title, items))
    organisation = session.get(Organisation, assessment.organisation_id)
    vendor = session.get(Vendor, assessment.vendor_id)
    attestation = assessment.attestation or {}
    submitted_at = assessment.submitted_at
    return build_receipt(
        ReceiptData(
            assessment_id=assessment.id,
            questionnaire=questionnaire.definition.title,
            buyer=organisation.name if organisation else "",
            vendor=vendor.legal_name if vendor else "",
            submitted_at=submitted_at.strftime("%Y-%m-%d %H:%M") if submitted_at else "—",
            signer_name=attestation.get("name", ""),
            signer_title=attestation.get("title", ""),
            signer_email=attestation.get("email", ""),
            statement=attestation.get("statement", ATTESTATION_STATEMENT),
            sections=sections,
        )
    )


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
