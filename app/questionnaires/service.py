"""Publishing questionnaire definitions as immutable versions, and reading them back.

A definition is stored once per content hash; an assessment pins the row it was sent with, so
editing a YAML file later never changes what a vendor was asked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlmodel import Session, or_, select

from app.audit.service import record
from app.caching import ContentHashCache
from app.models import Assessment, Questionnaire, User
from app.questionnaires.conditions import visible_questions
from app.questionnaires.loader import (
    content_hash,
    definition_dict,
    load_all,
    validate_definition,
)
from app.questionnaires.schema import Question, condition_targets
from app.questionnaires.schema import Questionnaire as Definition

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "questionnaires"


def publish(
    *,
    session: Session,
    definition: Definition,
    organisation_id: int | None = None,
    source: str = "library",
    actor: User | None = None,
) -> tuple[Questionnaire, bool]:
    """Store `definition` unless the same content is already published; (row, created)."""
    digest = content_hash(definition)
    existing = session.exec(
        select(Questionnaire).where(
            Questionnaire.content_hash == digest,
            Questionnaire.organisation_id == organisation_id
            if organisation_id is not None
            else Questionnaire.organisation_id.is_(None),
        )
    ).first()
    if existing is not None:
        return existing, False
    row = Questionnaire(
        organisation_id=organisation_id,
        key=definition.key,
        version=definition.version,
        title=definition.title,
        content_hash=digest,
        definition=definition_dict(definition),
        question_count=definition.question_count,
        source=source,
        published_by_id=actor.id if actor else None,
    )
    session.add(row)
    session.flush()
    record(
        session=session,
        action="questionnaire.published",
        actor=actor,
        organisation_id=organisation_id,
        object_type="questionnaire",
        object_id=row.id,
        data={"key": row.key, "version": row.version, "sha256": digest, "source": source},
    )
    return row, True


def publish_library(*, session: Session, directory: Path = LIBRARY_DIR) -> list[Questionnaire]:
    """Publish every file in questionnaires/ (all validated before anything is stored)."""
    definitions = load_all(directory)
    return [publish(session=session, definition=d)[0] for d in definitions]


def upload_questionnaire(
    *, session: Session, actor: User, filename: str, content: bytes
) -> Questionnaire:
    """Publish a buyer's own questionnaire from YAML or the Excel template; all valid or nothing.

    A key and version can be published once: changed content needs a new version number, so an
    assessment's pinned version never has a lookalike.
    """
    from app.questionnaires.loader import Problem, QuestionnaireError, parse_questionnaire
    from app.questionnaires.workbook import MAX_BYTES, definition_from_xlsx

    if len(content) > MAX_BYTES:
        raise QuestionnaireError([Problem(filename, None, None, "file is larger than 5 MB")])
    if not content:
        raise QuestionnaireError([Problem(filename, None, None, "the file is empty")])
    if content[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        definition = definition_from_xlsx(content, filename)
    else:
        definition = parse_questionnaire(content, filename)
    for row in available_questionnaires(session=session, organisation_id=actor.organisation_id):
        if (row.key, row.version) == (definition.key, definition.version):
            if row.content_hash == content_hash(definition):
                return row
            raise QuestionnaireError(
                [
                    Problem(
                        filename,
                        None,
                        "version",
                        f"{definition.key} v{definition.version} is already published with "
                        "different content; give this one a new version number",
                    )
                ]
            )
    row, _ = publish(
        session=session,
        definition=definition,
        organisation_id=actor.organisation_id,
        source="upload",
        actor=actor,
    )
    return row


def available_questionnaires(*, session: Session, organisation_id: int) -> list[Questionnaire]:
    """Library versions plus the organisation's own uploads, newest version first."""
    return list(
        session.exec(
            select(Questionnaire)
            .where(
                or_(
                    Questionnaire.organisation_id.is_(None),
                    Questionnaire.organisation_id == organisation_id,
                )
            )
            .order_by(Questionnaire.key, Questionnaire.version.desc(), Questionnaire.id.desc())
        )
    )


def latest_version(*, session: Session, organisation_id: int, key: str) -> Questionnaire | None:
    for row in available_questionnaires(session=session, organisation_id=organisation_id):
        if row.key == key:
            return row
    return None


class Compiled:
    """A parsed definition with a key index: what pages, scoring and exports read."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.by_key: dict[str, Question] = {q.key: q for q in definition.questions()}
        self.section_by_key = {
            q.key: section.key for section in definition.sections for q in section.questions
        }
        # Questions whose answer some show_if tests: saving any other answer shows or hides
        # nothing, so an autosave need not work out visibility twice.
        self.condition_keys = frozenset(
            target.question
            for q in self.by_key.values()
            if q.show_if is not None
            for target in condition_targets(q.show_if)
        )
        self._condition_order = sorted(self.condition_keys)
        self._visible: ContentHashCache[str, frozenset[str]] = ContentHashCache(4096)

    def visible_keys(self, values: Mapping[str, Any]) -> frozenset[str]:
        """The keys of the questions shown for these answers (`visible_questions`), remembered
        by the answers that some show_if tests: nothing else can change the outcome, and an
        assessment's autosaves mostly repeat the same few combinations."""
        tested = json.dumps(
            [[k in values, values.get(k)] for k in self._condition_order], default=str
        )
        return self._visible.get(
            tested,
            lambda: frozenset(q.key for q in visible_questions(self.definition, values)),
        )


_COMPILED: ContentHashCache[str, Compiled] = ContentHashCache(256)


def _parse(row: Questionnaire) -> Compiled:
    return Compiled(validate_definition(row.definition, f"questionnaire #{row.id}"))


def compiled(row: Questionnaire) -> Compiled:
    """The parsed definition of a published row; rows are immutable, so parse once per hash."""
    return _COMPILED.get(row.content_hash, lambda: _parse(row))


def pinned_questionnaire(*, session: Session, questionnaire_id: int, content_hash: str) -> Compiled:
    """The parsed questionnaire with this id and hash. The ~120 kB definition is read only the
    first time this process meets the hash: a caller that read the hash already (the access
    check does) pays no statement after that."""

    def read_and_parse() -> Compiled:
        row = session.get(Questionnaire, questionnaire_id)
        assert row is not None  # foreign key
        return _parse(row)

    return _COMPILED.get(content_hash, read_and_parse)


def questionnaire_of(*, session: Session, assessment: Assessment) -> Compiled:
    """The assessment's pinned questionnaire, for a caller that has only the assessment: one
    statement reads the row's 64-character hash, then `pinned_questionnaire`. A caller that
    opened the assessment with `open_assessment` has the questionnaire already."""
    content_hash = session.exec(
        select(Questionnaire.content_hash).where(Questionnaire.id == assessment.questionnaire_id)
    ).one()
    return pinned_questionnaire(
        session=session, questionnaire_id=assessment.questionnaire_id, content_hash=content_hash
    )
