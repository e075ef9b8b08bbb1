"""The risk register workbook, streamed with openpyxl's write-only mode so memory stays flat
for any number of vendors: Register, Findings, Domain maturity, AI systems, Evidence index,
About (and a hidden Lists sheet behind the dropdowns).

Every text cell goes through `safe_text` (formula injection); numbers and dates stay typed.
`export_register_workbook` is the audited download of the register page and the API.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, NamedTuple

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import Session, col, select

from app.assessments.decisions import decision_summary, latest_by_vendor
from app.audit.service import record
from app.exports.charts import LEVEL_COLOURS
from app.models import (
    AISystem,
    Answer,
    AnswerEvidence,
    Assessment,
    Contract,
    Evidence,
    Finding,
    Organisation,
    Questionnaire,
    User,
    Vendor,
    VendorStatus,
    utcnow,
)
from app.questionnaires.service import compiled
from app.register.service import (
    FINDING_STATUSES,
    TREATMENTS,
    RegisterFilters,
    iter_register_rows,
    owner_choices,
    vendor_ids_query,
)
from app.scoring import DEFAULT_DOMAINS, MODEL_VERSION
from app.spreadsheets import safe_text
from app.vendors.codes import ANNEX_III_USES, label

MAX_ROW = 1_048_576
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
LEVEL_FILLS = [PatternFill("solid", fgColor=c.lstrip("#").upper()) for c in LEVEL_COLOURS]
WHITE = Font(color="FFFFFF", bold=True)
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
LEVEL = "0.0"
LEVEL2 = "0.00"


class Styled(NamedTuple):
    """A cell value with a number format and, on the heat map, a level's fill (white bold text)."""

    value: Any
    number_format: str | None = None
    fill: PatternFill | None = None


class _Sheet:
    """A write-only sheet with a styled, frozen header row, widths and an autofilter."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[tuple[str, float]]):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        for index, (_, width) in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A2"
        header = []
        for name, _ in columns:
            cell = WriteOnlyCell(self.ws, value=safe_text(name))
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            header.append(cell)
        self.ws.append(header)
        self.rows = 0
        # One styled cell per column and style, reused row after row: a write-only sheet writes
        # each row as it is appended, and building and styling a cell object per value (about
        # 40 per vendor) cost more than writing it.
        self._cells: dict[tuple[int, str | None, int | None], Cell] = {}

    def _styled(self, column: int, styled: Styled) -> Cell:
        value, number_format, fill = styled
        if isinstance(value, datetime):
            value = value.replace(tzinfo=None)  # Excel has no time zones: UTC, as labelled
            number_format = number_format or DATETIME
        elif isinstance(value, date):
            number_format = number_format or DATE
        key = (column, number_format, id(fill) if fill is not None else None)  # fills: constants
        cell = self._cells.get(key)
        if cell is None:
            cell = WriteOnlyCell(self.ws)
            if number_format:
                cell.number_format = number_format
            if fill is not None:
                cell.fill = fill
                cell.font = WHITE
            self._cells[key] = cell
        cell.value = safe_text(value)
        return cell

    def append(self, values: Iterable[Any]) -> None:
        """Text and numbers go in as plain values (cheaper); `Styled` values and dates get a
        cell with their format. Every text value passes through safe_text."""
        row = []
        for column, value in enumerate(values):
            if isinstance(value, str):
                row.append(safe_text(value))
            elif isinstance(value, (Styled, date)):
                row.append(
                    self._styled(column, value if isinstance(value, Styled) else Styled(value))
                )
            else:
                row.append(value)
        self.ws.append(row)
        self.rows += 1

    def finish(self) -> None:
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"

    def dropdown(self, column: int, source: str) -> None:
        """A list validation on every data row of one column (owner, treatment, status)."""
        letter = get_column_letter(column)
        validation = DataValidation(type="list", formula1=source, allow_blank=True)
        validation.error = "Choose a value from the list."
        validation.add(f"{letter}2:{letter}{MAX_ROW}")
        self.ws.data_validations.append(validation)


def _lines(items: Iterable[str]) -> str:
    return "\n".join(items)


REGISTER_COLUMNS = (
    ("Vendor", 34),
    ("LEI / identifier", 24),
    ("Country", 8),
    ("Status", 12),
    ("Tier", 10),
    ("ICT services", 34),
    ("Functions supported", 34),
    ("AI systems (AI Act class)", 36),
    ("Maturity (scored)", 10),
    ("Maturity claimed", 10),
    ("Maturity verified", 10),
    ("Target", 8),
    ("Residual risk", 11),
    ("Open critical", 9),
    ("Open high", 9),
    ("Open medium", 9),
    ("Open low", 9),
    ("Last assessment", 13),
    ("Next review", 13),
    ("Owner", 22),
    ("Treatment", 12),
    ("Justification", 40),
    ("Treatment due", 13),
    ("Review decision", 44),
)
OWNER_COL, TREATMENT_COL, STATUS_COL = 20, 21, 4


def write_register_workbook(
    out: IO[bytes],
    *,
    session: Session,
    organisation_id: int,
    filters: RegisterFilters,
    generated_by: str,
    today: date | None = None,
) -> int:
    """Write the workbook to `out`; returns the number of vendors on the Register sheet."""
    today = today or utcnow().date()
    generated = utcnow()
    workbook = Workbook(write_only=True)
    organisation = session.get(Organisation, organisation_id)
    owners = owner_choices(session=session, organisation_id=organisation_id)

    lists = workbook.create_sheet("Lists")
    lists.sheet_state = "hidden"
    owner_names = [name for _, name in owners]
    statuses = [s.value for s in VendorStatus]
    columns = (owner_names, list(TREATMENTS), statuses, list(FINDING_STATUSES))
    for i in range(max(len(c) for c in columns)):
        lists.append([safe_text(c[i]) if i < len(c) else None for c in columns])

    def source(column: str, values: list[str]) -> str:
        return f"Lists!${column}$1:${column}${max(1, len(values))}"

    register = _Sheet(workbook, "Register", REGISTER_COLUMNS)
    decided = latest_by_vendor(session=session, organisation_id=organisation_id)
    domains = _Sheet(
        workbook,
        "Domain maturity",
        [("Vendor", 34), *((d.title, 12) for d in DEFAULT_DOMAINS)],
    )
    vendor_ids: list[int] = []
    for row in iter_register_rows(
        session=session, organisation_id=organisation_id, filters=filters, today=today
    ):
        v = row.vendor
        vendor_ids.append(v.id)
        register.append(
            [
                v.legal_name,
                v.identifier,
                v.hq_country,
                str(v.status),
                v.tier and str(v.tier),
                _lines(row.services),
                _lines(
                    f"{code} {name}{' (critical)' if c else ''}" for code, name, c in row.functions
                ),
                _lines(f"{name} ({cls})" for name, cls in row.ai_systems),
                Styled(row.overall, LEVEL),
                Styled(row.claimed, LEVEL),
                Styled(row.verified, LEVEL),
                row.target,
                row.residual,
                row.findings.get("critical", 0),
                row.findings.get("high", 0),
                row.findings.get("medium", 0),
                row.findings.get("low", 0),
                row.last_assessed,
                v.next_review_date,
                row.owner_name,
                v.treatment and str(v.treatment),
                v.treatment_justification,
                v.treatment_due,
                decision_summary(decided.get(v.id)),
            ]
        )
        levels = []
        for spec in DEFAULT_DOMAINS:
            level = (row.domains.get(spec.key) or {}).get("level")
            fill = LEVEL_FILLS[min(5, int(level))] if level is not None else None
            levels.append(Styled(level, LEVEL2, fill))
        domains.append([v.legal_name, *levels])
    register.dropdown(OWNER_COL, source("A", owner_names))
    register.dropdown(TREATMENT_COL, source("B", list(TREATMENTS)))
    register.dropdown(STATUS_COL, source("C", statuses))
    register.finish()
    domains.finish()

    ids = vendor_ids_query(organisation_id, filters, today)
    _findings_sheet(
        workbook, session, ids, source("A", owner_names), source("D", list(FINDING_STATUSES))
    )
    _ai_systems_sheet(workbook, session, ids)
    _evidence_sheet(workbook, session, ids)

    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 70
    for key, value in (
        ("Assay risk register", organisation.name if organisation else ""),
        ("Generated at (UTC)", generated.replace(tzinfo=None)),
        ("Generated by", generated_by),
        ("Filters", filters.described()),
        ("Scoring model version", MODEL_VERSION),
        ("Vendors", len(vendor_ids)),
        ("Sheets", "Register, Findings, Domain maturity, AI systems, Evidence index"),
        (
            "Notes",
            "Maturity 0–5 (ISO/IEC 42001 AIMS): scored = what counts after evidence caps; "
            "claimed = the vendor's word; verified = accepted by the reviewer with accepted "
            "evidence. Text cells starting with = + - @ are prefixed with ' so they never run.",
        ),
    ):
        cell = WriteOnlyCell(about, value=safe_text(value))
        if isinstance(value, datetime):
            cell.number_format = DATETIME
        head = WriteOnlyCell(about, value=safe_text(key))
        head.font = Font(bold=True)
        about.append([head, cell])
    workbook.save(out)
    return len(vendor_ids)


def _findings_sheet(workbook, session: Session, vendor_ids, owner_source: str, status_source: str):
    sheet = _Sheet(
        workbook,
        "Findings",
        (
            ("Vendor", 30),
            ("Key", 26),
            ("Source", 9),
            ("Framework", 10),
            ("Title", 50),
            ("Severity", 10),
            ("Status", 13),
            ("Level", 8),
            ("Target", 8),
            ("Owner", 22),
            ("Due", 12),
            ("Treatment", 40),
            ("Description", 60),
            ("Note", 40),
            ("Updated (UTC)", 16),
        ),
    )
    # Plain columns, not Finding objects: building an ORM instance per finding cost more than
    # writing its cells.
    query = (
        select(
            Vendor.legal_name,
            Finding.key,
            Finding.source,
            Finding.framework,
            Finding.title,
            Finding.severity,
            Finding.status,
            Finding.current_level,
            Finding.target_level,
            User.name,
            Finding.due_date,
            Finding.treatment,
            Finding.description,
            Finding.note,
            Finding.updated_at,
        )
        .join(Vendor, col(Vendor.id) == col(Finding.vendor_id))
        .join(User, col(User.id) == col(Finding.owner_id), isouter=True)
        .where(col(Finding.vendor_id).in_(vendor_ids))
        .order_by(col(Vendor.legal_name), col(Finding.id))
        .execution_options(yield_per=1000)
    )
    for row in session.exec(query):
        values = list(row)
        values[5], values[6] = str(values[5]), str(values[6])  # severity, status
        values[7] = Styled(values[7], LEVEL2)  # current level
        sheet.append(values)
    sheet.dropdown(10, owner_source)
    sheet.dropdown(7, status_source)
    sheet.finish()


def _ai_systems_sheet(workbook, session: Session, vendor_ids) -> None:
    sheet = _Sheet(
        workbook,
        "AI systems",
        (
            ("Vendor", 30),
            ("AI system", 28),
            ("Purpose", 44),
            ("AI Act class", 12),
            ("Vendor role", 11),
            ("Affects natural persons", 12),
            ("Model provider", 22),
            ("Foundation model", 22),
            ("Human oversight", 36),
            ("Contract", 18),
            ("Our AI Act class", 12),
            ("Annex III use", 30),
            ("Our role", 11),
        ),
    )
    query = (
        select(AISystem, Vendor.legal_name, Contract.reference)
        .join(Vendor, col(Vendor.id) == col(AISystem.vendor_id))
        .join(Contract, col(Contract.id) == col(AISystem.contract_id), isouter=True)
        .where(col(AISystem.vendor_id).in_(vendor_ids))
        .order_by(col(Vendor.legal_name), col(AISystem.name))
        .execution_options(yield_per=1000)
    )
    for system, vendor, contract in session.exec(query):
        sheet.append(
            [
                vendor,
                system.name,
                system.purpose,
                str(system.ai_act_class),
                str(system.vendor_role),
                "yes" if system.affects_natural_persons else "no",
                system.model_provider,
                system.foundation_model,
                system.human_oversight,
                contract,
                system.buyer_risk_class and str(system.buyer_risk_class),
                label(ANNEX_III_USES, system.annex_iii_use) or None,
                system.buyer_role and str(system.buyer_role),
            ]
        )
    sheet.finish()


def _evidence_sheet(workbook, session: Session, vendor_ids) -> None:
    """Every file of the vendors' libraries, with the question(s) it is attached to."""
    sheet = _Sheet(
        workbook,
        "Evidence index",
        (
            ("File name", 34),
            ("SHA-256", 66),
            ("Valid until", 12),
            ("Vendor", 30),
            ("Assessment", 11),
            ("Question", 22),
            ("Question text", 50),
            ("Reviewer verdict", 12),
            ("Uploaded (UTC)", 16),
        ),
    )
    query = (
        select(
            Evidence,
            Vendor.legal_name,
            Answer.assessment_id,
            Answer.question_key,
            AnswerEvidence.review_state,
            Assessment.questionnaire_id,
        )
        .join(Vendor, col(Vendor.id) == col(Evidence.vendor_id))
        .join(AnswerEvidence, col(AnswerEvidence.evidence_id) == col(Evidence.id), isouter=True)
        .join(Answer, col(Answer.id) == col(AnswerEvidence.answer_id), isouter=True)
        .join(Assessment, col(Assessment.id) == col(Answer.assessment_id), isouter=True)
        .where(col(Evidence.vendor_id).in_(vendor_ids))
        .order_by(col(Vendor.legal_name), col(Evidence.filename), col(Evidence.id))
        .execution_options(yield_per=1000)
    )
    questionnaires: dict[int, Any] = {}
    for evidence, vendor, assessment_id, key, verdict, questionnaire_id in session.exec(query):
        text = None
        if questionnaire_id is not None and key:
            if questionnaire_id not in questionnaires:
                row = session.get(Questionnaire, questionnaire_id)
                questionnaires[questionnaire_id] = compiled(row) if row else None
            found = questionnaires[questionnaire_id]
            question = found.by_key.get(key) if found else None
            text = question.text if question else None
        sheet.append(
            [
                evidence.filename,
                evidence.sha256,
                evidence.valid_until,
                vendor,
                assessment_id,
                key,
                text,
                verdict and str(verdict),
                evidence.uploaded_at,
            ]
        )
    sheet.finish()


def register_workbook_file(
    *, session: Session, organisation_id: int, filters: RegisterFilters, generated_by: str
) -> tuple[IO[bytes], int]:
    """The workbook in a temporary file (in memory up to 8 MB, then on disk), rewound."""
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (caller closes)
    rows = write_register_workbook(
        spooled,
        session=session,
        organisation_id=organisation_id,
        filters=filters,
        generated_by=generated_by,
    )
    spooled.seek(0)
    return spooled, rows  # type: ignore[return-value]


@dataclass
class WorkbookExport:
    file: IO[bytes]  # rewound; the caller closes it
    filename: str


def export_register_workbook(
    *, session: Session, actor: User, filters: RegisterFilters, ip: str | None = None
) -> WorkbookExport:
    """The workbook as `actor` downloads it (web page or API), recorded on the audit trail."""
    assert actor.organisation_id is not None  # export_reports is a buyer permission
    spooled, rows = register_workbook_file(
        session=session,
        organisation_id=actor.organisation_id,
        filters=filters,
        generated_by=f"{actor.name} <{actor.email}>",
    )
    record(
        session=session,
        action="register.exported",
        actor=actor,
        organisation_id=actor.organisation_id,
        object_type="register",
        object_id="xlsx",
        data={"filters": filters.params(), "vendors": rows},
        ip=ip,
    )
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return WorkbookExport(spooled, f"assay-register-{stamp}.xlsx")
