"""Bulk verdicts: accept many answers, or many files, in one step.

The page posts each answer as "id:version" (what the analyst saw), so an answer of another
assessment, one the vendor changed since, or an unknown one refuses the whole step before
anything is written: a bulk step is applied entirely or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.assessments.review import ready_for_verdicts
from app.assessments.review_page import accept_eligible, review_rows
from app.audit.service import record_many
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Answer, AnswerEvidence, Assessment, ReviewState, User, utcnow
from app.questionnaires.service import questionnaire_of

MAX_BULK = 2000


def parse_pairs(raw: Sequence[str], what: str) -> list[tuple[int, int]]:
    """ "12:3" → (12, 3); a malformed entry refuses the whole step."""
    pairs = []
    for item in raw:
        first, sep, second = str(item).partition(":")
        try:
            if not sep:
                raise ValueError
            pairs.append((int(first), int(second)))
        except ValueError:
            raise InvalidInput(
                f"Could not read the {what} {item[:40]!r}; reload the page."
            ) from None
    if len(pairs) > MAX_BULK:
        raise InvalidInput(f"Accept at most {MAX_BULK} at once.")
    return list(dict.fromkeys(pairs))


def accept_answers(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    tokens: Sequence[tuple[int, int]],
    ip: str | None = None,
) -> int:
    """Accept the answers (id, version seen); all of them or, on any problem, none."""
    if not tokens:
        raise InvalidInput("Choose at least one answer to accept.")
    ids = [answer_id for answer_id, _ in tokens]
    found = {a.id: a for a in session.exec(select(Answer).where(col(Answer.id).in_(ids))).all()}
    text = questionnaire_of(session=session, assessment=assessment).by_key
    for answer_id, version in tokens:
        answer = found.get(answer_id)
        if answer is None or answer.assessment_id != assessment.id:
            raise NotFound(
                f"Answer {answer_id} is not part of this assessment; nothing was accepted."
            )
        if answer.version != version:
            question = text.get(answer.question_key)
            raise Conflict(
                f"“{question.text if question else answer.question_key}” was changed by the "
                "vendor after you opened the page; nothing was accepted. Reload to see it."
            )
    ready_for_verdicts(session=session, actor=actor, assessment=assessment, ip=ip)
    now = utcnow()
    session.execute(
        update(Answer)
        .where(col(Answer.id).in_(ids))
        .values(
            review_state=ReviewState.accepted,
            review_reason=None,
            reviewed_by_id=actor.id,
            reviewed_at=now,
        ),
        execution_options={"synchronize_session": False},
    )
    record_many(
        session=session,
        actor=actor,
        organisation_id=assessment.organisation_id,
        events=[
            (
                "answer.accepted",
                "answer",
                f"{assessment.id}:{found[answer_id].question_key}",
                {"from": found[answer_id].review_state, "to": ReviewState.accepted, "bulk": True},
            )
            for answer_id, _ in tokens
        ],
        ip=ip,
    )
    for answer in found.values():
        session.expire(answer)
    return len(tokens)


def accept_where_files_accepted(
    *, session: Session, actor: User, assessment: Assessment, today: date, ip: str | None = None
) -> int:
    """Accept every pending answer whose files are all accepted (or that has none) and that needs
    no attention: no capped level, no rejected file."""
    rows = review_rows(session=session, assessment=assessment, viewer=actor, today=today)
    tokens = [(r.answer.id, r.answer.version) for r in rows if accept_eligible(r) and r.answer]
    if not tokens:
        raise InvalidInput("No pending answer has all its files accepted.")
    return accept_answers(session=session, actor=actor, assessment=assessment, tokens=tokens, ip=ip)


def accept_files(
    *,
    session: Session,
    actor: User,
    assessment: Assessment,
    links: Sequence[tuple[int, int]],
    ip: str | None = None,
) -> int:
    """Accept files (answer id, evidence id) attached to this assessment's answers; all or none."""
    if not links:
        raise InvalidInput("There is no file to accept.")
    answer_ids = {answer_id for answer_id, _ in links}
    owners = dict(
        session.exec(
            select(Answer.id, Answer.assessment_id).where(col(Answer.id).in_(answer_ids))
        ).all()
    )
    found = {
        (link.answer_id, link.evidence_id): link
        for link in session.exec(
            select(AnswerEvidence).where(col(AnswerEvidence.answer_id).in_(answer_ids))
        ).all()
    }
    for answer_id, evidence_id in links:
        if owners.get(answer_id) != assessment.id or (answer_id, evidence_id) not in found:
            raise NotFound(
                f"File {evidence_id} of answer {answer_id} is not part of this assessment; "
                "nothing was accepted."
            )
    ready_for_verdicts(session=session, actor=actor, assessment=assessment, ip=ip)
    events = []
    for key in links:
        link = found[key]
        events.append(
            (
                "answer_evidence.accepted",
                "answer",
                link.answer_id,
                {"evidence_id": link.evidence_id, "from": link.review_state, "to": "accepted"},
            )
        )
        link.review_state = ReviewState.accepted
        session.add(link)
    record_many(
        session=session,
        actor=actor,
        organisation_id=assessment.organisation_id,
        events=events,
        ip=ip,
    )
    return len(links)


def pending_files(
    *, session: Session, actor: User, assessment: Assessment, today: date
) -> list[tuple[int, int]]:
    """Every pending file of the assessment's visible answers, as (answer id, evidence id)."""
    rows = review_rows(session=session, assessment=assessment, viewer=actor, today=today)
    return [(r.answer.id, f.evidence.id) for r in rows if r.answer for f in r.pending_files]
