"""What a vendor contact sees: the portal home, one section of an assessment per page, and the
cards an autosave redraws.

Everything is drawn from the assessment's answered sheet (`assessments/sheet.py`): a section
page builds the items of its section, a fragment those of the questions it redraws (`keys=`);
progress, the section list and the "next" links always cover the whole sheet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.assessments.answers import display_value
from app.assessments.lifecycle import EDITABLE_STATES
from app.assessments.service import AnswerConflict
from app.assessments.sheet import (
    ATTACH_A_FILE,
    EVIDENCE_NEEDED,
    Progress,
    SectionProgress,
    Sheet,
    SheetFile,
    SheetItem,
    answered_sheet,
    fill_items,
)
from app.config import get_settings
from app.errors import NotFound
from app.evidence import filetypes
from app.evidence.service import contact_vendors, evidence_library, validity
from app.evidence.upload import describe_limit
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Comment,
    Evidence,
    Organisation,
    Questionnaire,
    SectionAssignment,
    User,
    Vendor,
    VendorContact,
    utcnow,
)
from app.portal.autosave import SaveOutcome
from app.portal.reuse import PreviousAnswer, previous_answers, worth_offering
from app.portal.service import accepts, contacts_of, is_editable
from app.questionnaires.schema import Question, QuestionType
from app.questionnaires.service import Compiled, pinned_questionnaire, questionnaire_of
from app.web import render

# The filters of a section page: every shown question, those still missing something, and
# those the buyer sent back.
SHOW = {"": "All questions", "unanswered": "Unanswered", "attention": "Needs attention"}


def anchor(key: str) -> str:
    """An HTML id for a question key (dots would need escaping in CSS selectors)."""
    return "q-" + key.replace(".", "-")


def assessment_url(assessment_id: int) -> str:
    return f"/portal/assessments/{assessment_id}"


def section_url(assessment_id: int, section_key: str, show: str = "") -> str:
    url = f"{assessment_url(assessment_id)}/sections/{section_key}"
    return url + (f"?show={show}" if show else "")


def question_url(assessment_id: int, questionnaire: Compiled, key: str) -> str:
    """The section page of a question, scrolled to its card."""
    return f"{section_url(assessment_id, questionnaire.section_by_key[key])}#{anchor(key)}"


def upload_hint() -> str:
    """The allowed file types and the size limit, as each question's upload says them."""
    limit = describe_limit(get_settings().upload_limit_bytes)
    return f"{filetypes.ACCEPTED_SUMMARY}; up to {limit} per file."


# --- the vendor's home ---------------------------------------------------------------------------


@dataclass
class AttentionLink:
    text: str
    url: str


@dataclass
class PortalRow:
    assessment: Assessment
    buyer: str
    vendor: Vendor
    questionnaire_title: str
    progress: Progress
    days_left: int | None  # None: no due date, or not waiting for the vendor
    continue_url: str
    attention: list[AttentionLink]
    attention_url: str | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


AWAITING_VENDOR = EDITABLE_STATES | {AssessmentStatus.clarification_requested}


def portal_assessments(*, session: Session, user: User, today: date) -> list[PortalRow]:
    """Every non-draft assessment sent to any vendor the user is a contact of, due first, with
    what needs the vendor's attention."""
    rows = session.exec(
        select(Assessment, Vendor, Organisation, Questionnaire.content_hash)
        .join(Vendor, col(Vendor.id) == col(Assessment.vendor_id))
        .join(Questionnaire, col(Questionnaire.id) == col(Assessment.questionnaire_id))
        .join(Organisation, col(Organisation.id) == col(Assessment.organisation_id))
        .join(VendorContact, col(VendorContact.vendor_id) == col(Vendor.id))
        .where(
            VendorContact.user_id == user.id,
            Assessment.status != AssessmentStatus.draft,
        )
        .order_by(col(Assessment.due_date).is_(None), col(Assessment.due_date), col(Assessment.id))
    ).all()
    result = []
    for assessment, vendor, organisation, content_hash in rows:
        questionnaire = pinned_questionnaire(
            session=session, questionnaire_id=assessment.questionnaire_id, content_hash=content_hash
        )
        sheet = answered_sheet(
            session=session,
            assessment=assessment,
            keys=(),
            questionnaire=questionnaire,
            today=today,
        )
        waiting = AssessmentStatus(assessment.status) in AWAITING_VENDOR
        attention = sheet.progress.attention
        result.append(
            PortalRow(
                assessment=assessment,
                buyer=organisation.name,
                vendor=vendor,
                questionnaire_title=questionnaire.definition.title,
                progress=sheet.progress,
                days_left=(assessment.due_date - today).days
                if waiting and assessment.due_date
                else None,
                continue_url=assessment_url(assessment.id),
                attention=[
                    AttentionLink(
                        questionnaire.by_key[k].text, question_url(assessment.id, questionnaire, k)
                    )
                    for k in attention
                ],
                attention_url=section_url(
                    assessment.id, questionnaire.section_by_key[attention[0]], "attention"
                )
                if attention
                else None,
            )
        )
    return result


def portal_home_response(request: Request, session: Session, user: User) -> Response:
    """A vendor user's home: the assessments sent to them and the vendors they answer for."""
    rows = portal_assessments(session=session, user=user, today=utcnow().date())
    vendors = contact_vendors(session=session, user=user)
    return render(request, "portal/home.html", {"rows": rows, "vendors": vendors})


# --- one question's card -------------------------------------------------------------------------


@dataclass
class LibraryFile:
    evidence: Evidence
    validity: str | None  # expired | expiring | valid | None


@dataclass
class QuestionView:
    """One question's card: its sheet item, an earlier answer on offer, and the save's state."""

    item: SheetItem
    offer: PreviousAnswer | None = None
    state: str = ""  # saved | error | conflict
    message: str = ""
    conflict: AnswerConflict | None = None
    extra_rows: int = 0

    @property
    def question(self) -> Question:
        return self.item.question

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def visible(self) -> bool:
        return self.item.visible

    @property
    def answer(self) -> Answer | None:
        return self.item.answer

    @property
    def files(self) -> list[SheetFile]:
        return self.item.files

    @property
    def thread(self) -> list[tuple[Comment, User | None]]:
        return self.item.thread

    @property
    def section_key(self) -> str:
        return self.item.section_key

    @cached_property
    def anchor(self) -> str:
        """Read about ten times per card: computed once."""
        return anchor(self.item.key)

    @property
    def value(self) -> Any:
        return self.item.value

    @property
    def version(self) -> int:
        return self.item.answer.version if self.item.answer else 0

    @property
    def rows(self) -> list[dict]:
        """Group rows to render: the saved ones plus blank rows to fill in."""
        saved = list(self.value or []) if self.question.type == QuestionType.group else []
        return saved + [
            {} for _ in range(max(1, self.extra_rows) if not saved else self.extra_rows)
        ]

    @property
    def theirs(self) -> str:
        return display_value(self.question, self.conflict.current.value) if self.conflict else ""

    @property
    def yours(self) -> str:
        return display_value(self.question, self.conflict.attempted) if self.conflict else ""

    @property
    def yours_json(self) -> str:
        return json.dumps(self.conflict.attempted) if self.conflict else ""


# --- a page of the assessment ---------------------------------------------------------------------


@dataclass
class SectionLink:
    """One line of the section list: where it leads, its progress and what needs attention."""

    key: str
    title: str
    url: str
    progress: SectionProgress
    assignee: User | None
    mine: bool
    current: bool


@dataclass
class PortalPage:
    """A section page, or the few cards a fragment redraws (`section` None), with what every
    page shows around them: progress, the section list and the "next" links."""

    assessment: Assessment
    questionnaire: Compiled
    sheet: Sheet
    views: dict[str, QuestionView]
    editable: bool
    section: SectionLink | None = None
    description: str | None = None
    show: str = ""
    nav: list[SectionLink] = field(default_factory=list)
    contacts: list[User] = field(default_factory=list)
    library: list[LibraryFile] = field(default_factory=list)
    buyer: str = ""
    vendor: Vendor | None = None
    upload_hint: str = ""

    @property
    def progress(self) -> Progress:
        return self.sheet.progress

    @property
    def filters(self) -> dict[str, str]:
        return SHOW

    @property
    def accept(self) -> str:
        """The file input's `accept`: the extensions an upload may have."""
        return filetypes.ACCEPT_ATTRIBUTE

    @property
    def questions(self) -> list[QuestionView]:
        """The section's cards in order, as the filter leaves them (hidden ones kept, empty, so a
        save that reveals one has a place to draw it)."""
        shown = list(self.views.values())
        if self.show == "unanswered":
            return [v for v in shown if v.item.missing or (v.visible and not v.item.answered)]
        if self.show == "attention":
            return [v for v in shown if v.item.needs_attention]
        return shown

    def question(self, key: str) -> QuestionView:
        found = self.views.get(key)
        if found is None:
            raise NotFound(f"No question {key!r} in this questionnaire.")
        return found

    def section_of(self, view: QuestionView) -> SectionProgress:
        return self.progress.section(view.section_key)

    def library_for(self, view: QuestionView) -> list[LibraryFile]:
        """Library files this question accepts and does not have yet."""
        have = {f.evidence.id for f in view.files}
        return [
            f
            for f in self.library
            if f.evidence.id not in have and accepts(view.question, f.evidence.kind)
        ]

    def library_file(self, evidence_id: int) -> LibraryFile:
        found = next((f for f in self.library if f.evidence.id == evidence_id), None)
        if found is None:
            raise NotFound("There is no such evidence, or you do not have access to it.")
        return found

    def _next(self, keys: list[str]) -> str | None:
        """The first of `keys` in or after this page's section (wrapping round), as a link."""
        if not keys:
            return None
        order = [s.key for s in self.questionnaire.definition.sections]
        here = order.index(self.section.key) if self.section else 0
        by_section = self.questionnaire.section_by_key
        later = [k for k in keys if order.index(by_section[k]) >= here]
        return question_url(self.assessment.id, self.questionnaire, (later or keys)[0])

    @property
    def next_unanswered(self) -> str | None:
        return self._next(self.progress.missing)

    @property
    def next_attention(self) -> str | None:
        return self._next(self.progress.attention)


def _views(
    session: Session, user: User, assessment: Assessment, sheet: Sheet, keys: list[str] | None
) -> dict[str, QuestionView]:
    """Cards for the sheet's items, with the earlier answers on offer (while editable)."""
    offers = (
        previous_answers(
            session=session,
            user=user,
            assessment=assessment,
            keys=keys,
            questionnaire=sheet.questionnaire,
        )
        if is_editable(assessment) and (keys is None or keys)
        else {}
    )
    return {
        item.key: QuestionView(item, offer=worth_offering(offers.get(item.key), item.answer))
        for item in sheet.items
    }


def _nav(session: Session, user: User, assessment: Assessment, sheet: Sheet) -> list[SectionLink]:
    """The section list, each section with the contact it is assigned to (one who can still
    sign in), read in one statement."""
    assignees = dict(
        session.exec(
            select(SectionAssignment.section_key, User)
            .join(User, col(User.id) == col(SectionAssignment.user_id))
            .join(VendorContact, col(VendorContact.user_id) == col(User.id))
            .where(
                SectionAssignment.assessment_id == assessment.id,
                VendorContact.vendor_id == assessment.vendor_id,
                col(User.active),
            )
        ).all()
    )
    links = []
    for s in sheet.sections:
        assignee = assignees.get(s.key)
        links.append(
            SectionLink(
                key=s.key,
                title=s.title,
                url=section_url(assessment.id, s.key),
                progress=s.progress,
                assignee=assignee,
                mine=assignee is not None and assignee.id == user.id,
                current=False,
            )
        )
    return links


def first_section_needing_work(
    *, session: Session, user: User, assessment: Assessment, mine_only: bool = False
) -> str:
    """Where the old single-page URL leads: the first section the buyer sent something back
    in, else the first with something missing (the contact's own sections first), else the
    first."""
    sheet = answered_sheet(session=session, assessment=assessment, keys=())
    nav = _nav(session, user, assessment, sheet)
    ordered = sorted(nav, key=lambda s: not s.mine) if mine_only else nav
    for wanted in (lambda s: s.progress.attention, lambda s: s.progress.missing, bool):
        for link in ordered:
            if wanted(link):
                return link.key
    return nav[0].key


def section_page(
    *,
    session: Session,
    user: User,
    assessment: Assessment,
    section_key: str,
    show: str = "",
    today: date,
) -> PortalPage:
    """One section of the assessment, with the section list and progress of the whole."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    section = next((s for s in questionnaire.definition.sections if s.key == section_key), None)
    if section is None:
        raise NotFound(f"No section {section_key!r} in this questionnaire.")
    keys = [q.key for q in section.questions]
    page = fragment_page(
        session=session,
        user=user,
        assessment=assessment,
        keys=keys,
        today=today,
        questionnaire=questionnaire,
    )
    for link in page.nav:
        link.current = link.key == section_key
    page.section = next(link for link in page.nav if link.current)
    page.description = section.description
    page.show = show if show in SHOW else ""
    organisation = session.get(Organisation, assessment.organisation_id)
    page.buyer = organisation.name if organisation else ""
    page.vendor = session.get(Vendor, assessment.vendor_id)
    return page


def fragment_page(
    *,
    session: Session,
    user: User,
    assessment: Assessment,
    keys: list[str],
    today: date,
    questionnaire: Compiled | None = None,
    cards: bool = True,
    saved: SaveOutcome | None = None,
) -> PortalPage:
    """The cards of the questions in `keys` with progress and the section list: what a
    fragment redraws, and what a section page draws for its section. Without `cards` (an
    autosave that redraws only the save state and files) no thread or earlier answer is read.
    An autosave passes what it `saved`: its summary and answer row are not read again."""
    if saved is None:
        sheet = answered_sheet(
            session=session,
            assessment=assessment,
            viewer=user if cards else None,
            keys=keys,
            questionnaire=questionnaire,
            today=today,
        )
    else:
        sheet = fill_items(
            saved.sheet,
            session=session,
            viewer=user if cards else None,
            keys=keys,
            held=[saved.answer],
        )
    # The contacts are for the cards (who saved a conflicting answer) and the section page's
    # delegation picker; an autosave's redraw without cards needs neither.
    contacts = contacts_of(session=session, vendor_id=assessment.vendor_id) if cards else []
    editable = is_editable(assessment)
    library = (
        [
            LibraryFile(e, validity(e.valid_until, today=today))
            for e in evidence_library(session=session, vendor_id=assessment.vendor_id)
        ]
        if editable
        else []
    )
    return PortalPage(
        assessment=assessment,
        questionnaire=sheet.questionnaire,
        sheet=sheet,
        views=_views(session, user, assessment, sheet, keys if cards else []),
        editable=editable,
        nav=_nav(session, user, assessment, sheet),
        contacts=contacts,
        library=library,
        upload_hint=upload_hint(),
    )


# --- "this document covers …" --------------------------------------------------------------------


@dataclass
class CoverChoice:
    key: str
    text: str
    ticked: bool
    attached: bool  # the file is on this question already
    needs_file: bool  # the question still lacks the file its answer needs


@dataclass
class CoverChoices:
    """The questions one library file can go on, by section, the likely ones ticked: those that
    accept its kind and still need a file (and `also`, the ones the vendor named)."""

    evidence: LibraryFile
    sections: list[tuple[str, list[CoverChoice]]]

    @property
    def count(self) -> int:
        return sum(len(choices) for _, choices in self.sections)

    @property
    def ticked(self) -> int:
        return sum(c.ticked for _, choices in self.sections for c in choices)


def cover_choices(*, page: PortalPage, evidence: LibraryFile, also: list[str]) -> CoverChoices:
    kind = evidence.evidence.kind
    sections = []
    for section in page.sheet.sections:
        choices = []
        for item in section.shown:
            if not accepts(item.question, kind):
                continue
            attached = any(f.evidence.id == evidence.evidence.id for f in item.files)
            needs_file = item.missing in (ATTACH_A_FILE, EVIDENCE_NEEDED)
            choices.append(
                CoverChoice(
                    key=item.key,
                    text=item.question.text,
                    ticked=not attached and (needs_file or item.key in also),
                    attached=attached,
                    needs_file=needs_file,
                )
            )
        if choices:
            sections.append((section.title, choices))
    return CoverChoices(evidence, sections)


def covers_page(
    *, session: Session, user: User, assessment: Assessment, evidence_id: int, today: date
) -> PortalPage:
    """Every question of the assessment with the library, for the "covers" page."""
    questionnaire = questionnaire_of(session=session, assessment=assessment)
    page = fragment_page(
        session=session,
        user=user,
        assessment=assessment,
        keys=list(questionnaire.by_key),
        today=today,
        questionnaire=questionnaire,
    )
    page.library = [  # read while the answers are locked too: the page says so
        LibraryFile(e, validity(e.valid_until, today=today))
        for e in evidence_library(session=session, vendor_id=assessment.vendor_id)
    ]
    page.library_file(evidence_id)  # another vendor's file, or none: 404
    organisation = session.get(Organisation, assessment.organisation_id)
    page.buyer = organisation.name if organisation else ""
    return page
