"""Portal service functions called directly: delegation, and the page's view of the answers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from app.assessments.answers import display_value
from app.errors import InvalidInput, NotFound
from app.models import Answer, AnswerEvidence, AuditEvent, SectionAssignment
from app.portal import service
from app.portal.view import section_page
from tests.factories import make_assessment, make_evidence, make_questionnaire
from tests.worlds import make_sent_assessment


def test_assignment_is_audited_and_limited_to_the_vendors_people(session, world):
    service.assign_section(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        section_key="governance",
        user_id=world.contact.id,
    )
    assert session.exec(select(SectionAssignment)).one().user_id == world.contact.id
    service.assign_section(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        section_key="governance",
        user_id=None,
    )
    assert session.exec(select(SectionAssignment)).first() is None
    assert (
        len(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "assessment.section_assigned")
            ).all()
        )
        == 2
    )
    with pytest.raises(NotFound):
        service.assign_section(
            session=session,
            actor=world.vendor_admin,
            assessment=world.assessment,
            section_key="governance",
            user_id=world.procurement.id,
        )
    page = section_page(
        session=session,
        user=world.contact,
        assessment=world.assessment,
        section_key="governance",
        today=date.today(),
    )
    assert [s.key for s in page.nav] == ["governance"] and page.section.current


def test_display_value_reads_like_the_page(session, world):
    from app.questionnaires.service import questionnaire_of

    q = questionnaire_of(session=session, assessment=world.assessment).by_key
    assert display_value(q["gov.policy"], 3) == "3 – level 3"
    assert display_value(q["gov.role"], "provider") == "Provider"
    assert display_value(q["gov.notes"], None) == "—"


# --- one document, many questions -----------------------------------------------------------------

REPORT_QUESTIONS = {
    "key": "reports",
    "version": 1,
    "title": "Reports",
    "sections": [
        {
            "key": "assurance",
            "title": "Assurance",
            "questions": [
                {
                    "key": f"assure.q{n}",
                    "text": f"Independent assurance of control {n}",
                    "type": "evidence_only",
                    "evidence": {"kinds": ["report", "certificate"], "required_from_level": 0},
                }
                for n in range(3)
            ]
            + [
                {
                    "key": "assure.policy",
                    "text": "Your AI policy",
                    "type": "evidence_only",
                    "evidence": {"kinds": ["policy"], "required_from_level": 0},
                },
                {"key": "assure.notes", "text": "Anything else?", "type": "text"},
            ],
        }
    ],
}


def _links(session) -> list[tuple[str, int]]:
    return sorted(
        session.exec(
            select(Answer.question_key, AnswerEvidence.evidence_id).join(
                AnswerEvidence, col(AnswerEvidence.answer_id) == col(Answer.id)
            )
        ).all()
    )


def test_one_file_goes_on_many_questions_in_one_action(session):
    world = make_sent_assessment(
        session, questionnaire=make_questionnaire(session, REPORT_QUESTIONS)
    )
    soc2 = make_evidence(session, world.vendor, "soc2.pdf", kind="report")
    made = service.attach_files(
        session=session,
        actor=world.contact,
        assessment=world.assessment,
        evidence_ids=[soc2.id],
        keys=["assure.q0", "assure.q1", "assure.q2"],
    )
    assert made == 3
    assert _links(session) == [(f"assure.q{n}", soc2.id) for n in range(3)]
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.attached"))
    assert len(events.all()) == 3
    again = service.attach_files(
        session=session,
        actor=world.contact,
        assessment=world.assessment,
        evidence_ids=[soc2.id],
        keys=["assure.q0"],
    )
    assert again == 0  # already there: nothing new, nothing duplicated


@pytest.mark.parametrize(
    ("keys", "says"),
    [
        (["assure.q0", "assure.policy"], "asks for a policy document"),
        (["assure.q0", "assure.notes"], "does not take files"),
        (["assure.q0", "gov.policy"], "is not a question of this assessment"),
        ([], "Choose at least one question"),
    ],
)
def test_a_refused_question_attaches_nothing_at_all(session, keys, says):
    world = make_sent_assessment(
        session, questionnaire=make_questionnaire(session, REPORT_QUESTIONS)
    )
    # Another assessment of the same vendor, of another questionnaire: its keys are not ours.
    make_assessment(session, world.org, world.vendor, world.procurement)
    soc2 = make_evidence(session, world.vendor, "soc2.pdf", kind="report")
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        service.attach_files(
            session=session,
            actor=world.contact,
            assessment=world.assessment,
            evidence_ids=[soc2.id],
            keys=keys,
        )
    assert says in " ".join([refused.value.message, *refused.value.details])
    assert _links(session) == []
    assert session.exec(select(Answer)).all() == []  # not even the empty rows files hang on


def test_another_vendors_file_is_not_found(session, rival):
    world = make_sent_assessment(
        session, questionnaire=make_questionnaire(session, REPORT_QUESTIONS)
    )
    theirs = make_evidence(session, rival.vendor, "theirs.pdf", kind="report")
    with pytest.raises(NotFound):
        service.attach_files(
            session=session,
            actor=world.contact,
            assessment=world.assessment,
            evidence_ids=[theirs.id],
            keys=["assure.q0"],
        )
