"""Assessment service: tenant access, recorded transitions, answers without lost updates."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.assessments.answer_store import AnswerStore
from app.assessments.lifecycle import Side
from app.assessments.service import (
    AnswerConflict,
    answers_of,
    apply_transition,
    get_assessment,
    save_answer,
    timeline,
)
from app.assessments.sheet import progress
from app.audit.service import verify
from app.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from app.models import AssessmentStatus, AuditEvent
from app.questionnaires.service import questionnaire_of
from tests.factories import make_assessment
from tests.worlds import SentAssessment, make_sent_assessment


@pytest.fixture
def world(session) -> SentAssessment:
    built = make_sent_assessment(session)
    session.commit()
    return built


def test_each_side_sees_only_its_own_assessments(session, world, rival):
    a = world.assessment
    assert get_assessment(session=session, user=world.procurement, assessment_id=a.id).id == a.id
    assert get_assessment(session=session, user=world.contact, assessment_id=a.id).id == a.id
    for intruder in (rival.admin, rival.contact):
        with pytest.raises(NotFound):
            get_assessment(session=session, user=intruder, assessment_id=a.id)


def test_vendor_does_not_see_drafts(session, world):
    draft = make_assessment(session, world.org, world.vendor, world.procurement, status="draft")
    session.commit()
    with pytest.raises(NotFound):
        get_assessment(session=session, user=world.contact, assessment_id=draft.id)


def test_first_answer_starts_the_assessment_and_is_audited(session, world):
    a = world.assessment
    answer = save_answer(
        session=session,
        actor=world.contact,
        assessment=a,
        key="gov.policy",
        raw_value="3",
        expected_version=0,
    )
    session.commit()
    assert answer.value == 3 and answer.version == 1
    assert a.status == AssessmentStatus.in_progress
    assert [t.to_status for t in timeline(session=session, assessment=a)] == ["in_progress"]
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["assessment.start", "answer.saved"]
    assert verify(session=session).ok


def test_a_stale_save_is_refused_with_both_values(session, world):
    a = world.assessment
    save_answer(
        session=session,
        actor=world.contact,
        assessment=a,
        key="gov.role",
        raw_value="provider",
        expected_version=0,
    )
    save_answer(
        session=session,
        actor=world.contact,
        assessment=a,
        key="gov.role",
        raw_value="deployer",
        expected_version=1,
    )
    session.commit()
    with pytest.raises(AnswerConflict) as conflict:
        save_answer(
            session=session,
            actor=world.contact,
            assessment=a,
            key="gov.role",
            raw_value="none",
            expected_version=1,
        )
    session.rollback()
    assert conflict.value.current.value == "deployer"
    assert conflict.value.attempted == "none"
    assert answers_of(session=session, assessment_id=a.id)["gov.role"].value == "deployer"


def test_a_second_first_save_of_the_same_answer_conflicts(session, world):
    a = world.assessment
    save_answer(
        session=session,
        actor=world.contact,
        assessment=a,
        key="gov.role",
        raw_value="provider",
        expected_version=0,
    )
    with pytest.raises(AnswerConflict):
        save_answer(
            session=session,
            actor=world.procurement,
            assessment=a,
            key="gov.role",
            raw_value="none",
            expected_version=0,
        )


def _saved_events(session) -> list[dict]:
    return list(
        session.exec(
            select(AuditEvent.data)
            .where(AuditEvent.action == "answer.saved")
            .order_by(AuditEvent.id)
        )
    )


def test_a_save_told_what_it_saw_records_that_as_before(session, world):
    """The store's read spares the save a read of the row; the audit still says what it
    replaced."""
    a = world.assessment
    first = dict(session=session, actor=world.contact, assessment=a, key="gov.policy")
    save_answer(**first, raw_value="2", expected_version=0)
    session.commit()
    store = AnswerStore(session, a.id)
    store.read_all()  # version 1, value 2
    answer = save_answer(**first, raw_value="4", expected_version=1, store=store)
    session.commit()
    assert (answer.value, answer.version) == (4, 2)
    assert answers_of(session=session, assessment_id=a.id)["gov.policy"].value == 4
    assert _saved_events(session)[-1] == {"before": 2, "after": 4, "version": 2}
    assert verify(session=session).ok


def test_a_save_told_a_stale_version_is_refused_with_the_current_value(session, world):
    a = world.assessment
    first = dict(session=session, actor=world.contact, assessment=a, key="gov.policy")
    save_answer(**first, raw_value="2", expected_version=0)
    second_tab = AnswerStore(session, a.id)
    second_tab.read_all()  # version 1, value 2
    save_answer(**first, raw_value="3", expected_version=1)
    session.commit()
    # a second tab read version 1 and saves on top of it
    with pytest.raises(AnswerConflict) as conflict:
        save_answer(**first, raw_value="5", expected_version=1, store=second_tab)
    session.rollback()
    assert conflict.value.current.value == 3 and conflict.value.current.version == 2
    assert answers_of(session=session, assessment_id=a.id)["gov.policy"].value == 3
    assert [e["after"] for e in _saved_events(session)] == [2, 3]


def test_a_seen_version_other_than_the_expected_one_falls_back_to_reading_the_row(session, world):
    a = world.assessment
    first = dict(session=session, actor=world.contact, assessment=a, key="gov.policy")
    save_answer(**first, raw_value="1", expected_version=0)
    store = AnswerStore(session, a.id)
    store.read_all()  # version 1, value 1
    save_answer(**first, raw_value="2", expected_version=1)
    session.commit()
    # what the caller saw (version 1) is not what it expects to replace (version 2)
    save_answer(**first, raw_value="5", expected_version=2, store=store)
    session.commit()
    assert _saved_events(session)[-1] == {"before": 2, "after": 5, "version": 3}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("gov.policy", "7", "0 to 5"),
        ("gov.role", "importer", "offered options"),
        ("gov.nope", "x", "No question"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_stored(session, world, key, value, message):
    with pytest.raises((InvalidInput, NotFound), match=message):
        save_answer(
            session=session,
            actor=world.contact,
            assessment=world.assessment,
            key=key,
            raw_value=value,
            expected_version=0,
        )
    session.rollback()
    assert answers_of(session=session, assessment_id=world.assessment.id) == {}


def test_answers_are_locked_after_submission(session, world):
    a = world.assessment
    save_answer(
        session=session,
        actor=world.contact,
        assessment=a,
        key="gov.role",
        raw_value="none",
        expected_version=0,
    )
    apply_transition(
        session=session, assessment=a, name="submit", actor=world.contact, side=Side.vendor
    )
    with pytest.raises(Conflict, match="locked"):
        save_answer(
            session=session,
            actor=world.contact,
            assessment=a,
            key="gov.role",
            raw_value="provider",
            expected_version=1,
        )


def test_invalid_transition_changes_nothing(session, world):
    a = world.assessment
    with pytest.raises(InvalidTransition):
        apply_transition(
            session=session, assessment=a, name="complete", actor=world.procurement, side=Side.buyer
        )
    session.rollback()
    session.refresh(a)
    assert a.status == AssessmentStatus.sent and timeline(session=session, assessment=a) == []


def test_progress_counts_only_visible_required_questions(session, world):
    q = questionnaire_of(session=session, assessment=world.assessment)
    empty = progress(q, {}, set())
    assert (empty.required, empty.answered) == (2, 0)  # provider-only question hidden
    as_provider = progress(q, {"gov.role": "provider", "gov.policy": 2}, set())
    assert (as_provider.required, as_provider.answered) == (3, 2)
    assert as_provider.missing == ["gov.provider_qms"]


def test_internal_notes_never_reach_the_vendor(session, world):
    from app.assessments.comments import add_comment, comments_for
    from app.errors import Forbidden

    a = world.assessment
    add_comment(
        session=session,
        actor=world.procurement,
        assessment=a,
        question_key="gov.policy",
        body="Policy looks copied from a template",
        visibility="internal",
    )
    add_comment(
        session=session,
        actor=world.procurement,
        assessment=a,
        question_key="gov.policy",
        body="Please attach the signed policy",
        visibility="vendor",
    )
    add_comment(
        session=session,
        actor=world.contact,
        assessment=a,
        question_key="gov.policy",
        body="Attached",
        visibility="vendor",
    )
    with pytest.raises(Forbidden):
        add_comment(
            session=session,
            actor=world.contact,
            assessment=a,
            question_key="gov.policy",
            body="sneaky",
            visibility="internal",
        )
    vendor_view = comments_for(session=session, assessment=a, viewer=world.contact)
    buyer_view = comments_for(session=session, assessment=a, viewer=world.procurement)
    assert [c.body for c, _ in vendor_view["gov.policy"]] == [
        "Please attach the signed policy",
        "Attached",
    ]
    assert len(buyer_view["gov.policy"]) == 3
