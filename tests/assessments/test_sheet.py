"""The answered sheet: one read of an assessment, one definition of complete, fixed statements."""

from __future__ import annotations

from sqlmodel import Session

from app.assessments.service import save_answer
from app.assessments.sheet import (
    ANSWER_REQUIRED,
    ATTACH_A_FILE,
    EVIDENCE_NEEDED,
    answered_sheet,
)
from app.models import AnswerEvidence, Comment, CommentVisibility, ReviewState
from tests.factories import SMALL_QUESTIONNAIRE, make_assessment, make_evidence, make_questionnaire
from tests.helpers import count_statements
from tests.worlds import SentAssessment, make_sent_assessment

REGISTER = {
    "key": "gov.register",
    "text": "Upload your AI register.",
    "type": "evidence_only",
    "evidence": {"kinds": ["record"], "required_from_level": 0},
}


def _world(session: Session) -> SentAssessment:
    definition = {
        **SMALL_QUESTIONNAIRE,
        "key": "sheet-test",
        "sections": [
            {
                **SMALL_QUESTIONNAIRE["sections"][0],
                "questions": [*SMALL_QUESTIONNAIRE["sections"][0]["questions"], REGISTER],
            }
        ],
    }
    world = make_sent_assessment(session, questionnaire=make_questionnaire(session, definition))
    session.commit()
    return world


def _save(session: Session, world: SentAssessment, key: str, value: object):
    return save_answer(
        session=session,
        actor=world.contact,
        assessment=world.assessment,
        key=key,
        raw_value=value,
        expected_version=0,
    )


def test_items_carry_section_answer_label_verdict_files_and_thread(session):
    world = _world(session)
    role = _save(session, world, "gov.role", "provider")
    policy = _save(session, world, "gov.policy", "4")
    evidence = make_evidence(session, world.vendor, "policy.pdf", kind="policy")
    session.add(
        AnswerEvidence(
            answer_id=policy.id, evidence_id=evidence.id, review_state=ReviewState.rejected
        )
    )
    role.review_state, role.review_reason = ReviewState.clarification, "Which systems?"
    session.add(role)
    for visibility in CommentVisibility:
        session.add(
            Comment(
                assessment_id=world.assessment.id,
                question_key="gov.role",
                visibility=visibility,
                author_id=world.analyst.id,
                body=f"{visibility} note",
            )
        )
    session.commit()

    sheet = answered_sheet(session=session, assessment=world.assessment, viewer=world.contact)

    item = sheet.item("gov.role")
    assert (item.section_key, item.value, item.display) == ("governance", "provider", "Provider")
    assert (item.verdict, item.reason, item.needs_attention) == (
        ReviewState.clarification,
        "Which systems?",
        True,
    )
    assert [c.body for c, _ in item.thread] == ["vendor note"]  # no internal note for a vendor
    files = sheet.item("gov.policy").files
    assert [(f.evidence.filename, f.kind, f.status) for f in files] == [
        ("policy.pdf", "policy", ReviewState.rejected)
    ]
    assert sheet.item("gov.policy").needs_attention  # a rejected file sends the question back
    assert sheet.progress.attention == ["gov.policy", "gov.role"]
    assert sheet.item("gov.provider_qms").visible  # shown by the provider role
    assert [i.key for i in sheet.sections[0].items] == [
        "gov.policy",
        "gov.role",
        "gov.provider_qms",
        "gov.notes",
        "gov.register",
    ]


def test_completeness_counts_required_evidence_so_bar_and_submit_agree(session):
    world = _world(session)
    sheet = answered_sheet(session=session, assessment=world.assessment)
    assert [(i.key, i.missing) for i in sheet.missing] == [
        ("gov.policy", ANSWER_REQUIRED),
        ("gov.role", ANSWER_REQUIRED),
        ("gov.register", ATTACH_A_FILE),
    ]  # provider_qms hidden, notes optional
    assert (sheet.progress.answered, sheet.progress.required) == (0, 3)

    _save(session, world, "gov.role", "none")
    policy = _save(session, world, "gov.policy", "3")  # level 3 asks for a policy file
    register = _save(session, world, "gov.register", None)
    session.add(
        AnswerEvidence(
            answer_id=register.id,
            evidence_id=make_evidence(session, world.vendor, kind="record").id,
        )
    )
    session.commit()
    sheet = answered_sheet(session=session, assessment=world.assessment)
    assert [(i.key, i.missing) for i in sheet.missing] == [("gov.policy", EVIDENCE_NEEDED)]
    assert sheet.progress.missing == ["gov.policy"]
    assert sheet.progress.percent < 100 and not sheet.complete

    session.add(
        AnswerEvidence(answer_id=policy.id, evidence_id=make_evidence(session, world.vendor).id)
    )
    session.commit()
    sheet = answered_sheet(session=session, assessment=world.assessment)
    assert sheet.missing == [] and sheet.complete and sheet.progress.percent == 100


def test_keys_build_only_those_items_but_progress_covers_the_whole_sheet(session):
    world = _world(session)
    _save(session, world, "gov.role", "provider")
    session.commit()
    sheet = answered_sheet(
        session=session, assessment=world.assessment, viewer=world.contact, keys=["gov.role"]
    )
    assert [i.key for i in sheet.items] == ["gov.role"]
    assert sheet.progress.missing == ["gov.policy", "gov.provider_qms", "gov.register"]


def test_the_sheet_reads_a_fixed_number_of_statements_however_much_is_answered(session, engine):
    world = _world(session)
    earlier = make_assessment(
        session, world.org, world.vendor, world.procurement, status="completed"
    )
    world.assessment.previous_assessment_id = earlier.id
    session.add(world.assessment)
    session.commit()
    answered_sheet(session=session, assessment=world.assessment, viewer=world.contact)
    session.commit()
    with count_statements(engine) as bare:
        answered_sheet(session=session, assessment=world.assessment, viewer=world.contact)
    for key, value in {"gov.role": "provider", "gov.policy": "4", "gov.notes": "x"}.items():
        answer = _save(session, world, key, value)
        for n in range(3):
            evidence = make_evidence(session, world.vendor, f"{key}-{n}.pdf")
            session.add(AnswerEvidence(answer_id=answer.id, evidence_id=evidence.id))
            session.add(
                Comment(
                    assessment_id=world.assessment.id,
                    question_key=key,
                    author_id=world.analyst.id,
                    body=f"About {key} {n}",
                )
            )
    session.commit()
    with count_statements(engine) as full:
        sheet = answered_sheet(session=session, assessment=world.assessment, viewer=world.contact)
    assert sum(len(i.files) for i in sheet.items) == 9
    assert sum(len(i.thread) for i in sheet.items) == 9
    # The questionnaire's hash; the summary's values and file facts; the buyer's AI Act classes
    # (visibility); the items' answer rows, files and threads (SQLite also shows the
    # transaction's BEGIN). Last time's answers are read only for the buyer's review.
    reads = [s for s in full if s != "BEGIN"]
    assert len(full) == len(bare) and len(reads) == 7, full
