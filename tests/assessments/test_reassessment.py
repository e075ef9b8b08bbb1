"""Next review dates, the overdue list, and automatic re-sending with prefilled answers."""

from __future__ import annotations

import copy
from datetime import date, timedelta

from sqlmodel import select

from app.assessments.reassessment import (
    add_months,
    compute_next_review,
    overdue_reviews,
    run_reassessments,
    unchanged_questions,
)
from app.assessments.service import answers_of, save_answer
from app.cli import main
from app.models import (
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    Evidence,
    OutboxEmail,
    ReviewState,
    Vendor,
    utcnow,
)
from app.questionnaires.service import compiled
from tests.factories import SMALL_QUESTIONNAIRE, make_assessment, make_questionnaire

TODAY = date.today()


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 22), 12) == date(2027, 11, 22)
    assert add_months(date(2026, 11, 22), 36) == date(2029, 11, 22)


def _completed(session, team, vendor, questionnaire=None, *, accepted=("gov.policy",)):
    assessment = make_assessment(session, team.org, vendor, team.procurement,
                                 questionnaire or team.questionnaire, status="in_progress")  # fmt: skip
    contact = {team.vendor_a.id: team.contact_a, team.vendor_b.id: team.contact_b}[vendor.id]
    for key, value in [("gov.policy", "4"), ("gov.role", "deployer"), ("gov.notes", "none")]:
        answer = save_answer(session=session, actor=contact, assessment=assessment, key=key,
                             raw_value=value, expected_version=0)  # fmt: skip
        answer.review_state = ReviewState.accepted if key in accepted else ReviewState.rejected
        session.add(answer)
    assessment.status = AssessmentStatus.completed
    assessment.completed_at = utcnow() - timedelta(days=400)
    session.add(assessment)
    session.flush()
    return assessment


def test_next_review_follows_the_tier_cadence_and_evidence_expiry(session, team):
    team.org.settings = {"review_cadence_months": {"critical": 6, "low": 36}}
    session.add(team.org)
    vendor = team.vendor_a
    vendor.tier = "critical"
    done = _completed(session, team, vendor)
    assert compute_next_review(session=session, vendor=vendor, completed_on=date(2026, 1, 15),
                               assessment_id=done.id) == date(2026, 7, 15)  # fmt: skip
    vendor.tier = "medium"  # not configured: the default 24 months
    assert compute_next_review(session=session, vendor=vendor, completed_on=date(2026, 1, 15),
                               assessment_id=done.id) == date(2028, 1, 15)  # fmt: skip
    certificate = Evidence(vendor_id=vendor.id, sha256="b" * 64, filename="iso.pdf", size=1,
                           media_type="application/pdf", storage_key="bb/iso",
                           valid_until=date(2026, 9, 30))  # fmt: skip
    session.add(certificate)
    session.flush()
    answer = answers_of(session=session, assessment_id=done.id)["gov.policy"]
    session.add(AnswerEvidence(answer_id=answer.id, evidence_id=certificate.id))
    session.flush()
    assert compute_next_review(session=session, vendor=vendor, completed_on=date(2026, 1, 15),
                               assessment_id=done.id) == date(2026, 9, 30)  # fmt: skip


def test_overdue_reviews_for_the_register_and_dashboard(session, team, rival):
    team.vendor_a.next_review_date = TODAY - timedelta(days=3)
    team.vendor_b.next_review_date = TODAY
    team.vendor_c.next_review_date = TODAY + timedelta(days=1)
    rival.vendor.next_review_date = TODAY - timedelta(days=30)
    session.add_all([team.vendor_a, team.vendor_b, team.vendor_c, rival.vendor])
    session.flush()
    due = overdue_reviews(session=session, organisation_id=team.org.id, today=TODAY)
    assert [v.legal_name for v in due] == ["Alpha AI GmbH", "Beta Models SA"]


def test_unchanged_questions_compare_the_definitions():
    changed = copy.deepcopy(SMALL_QUESTIONNAIRE)
    changed["version"] = 2
    questions = changed["sections"][0]["questions"]
    questions[0]["help"] = "New help text does not change the question."
    questions[1]["options"].append({"value": "importer", "label": "Importer"})
    questions[3]["text"] = "Anything else we should know?"
    from app.questionnaires.loader import validate_definition
    from app.questionnaires.service import Compiled

    old = Compiled(validate_definition(SMALL_QUESTIONNAIRE, "v1"))
    new = Compiled(validate_definition(changed, "v2"))
    assert unchanged_questions(old, new) == {"gov.policy", "gov.provider_qms"}


def test_due_vendors_with_auto_resend_get_a_prefilled_assessment_once(
    session, engine, settings, team
):
    v2 = copy.deepcopy(SMALL_QUESTIONNAIRE)
    v2["version"] = 2
    v2["sections"][0]["questions"][3]["text"] = "Anything else we should know?"
    _completed(session, team, team.vendor_a, accepted=("gov.policy", "gov.notes"))
    _completed(session, team, team.vendor_b)
    newer = make_questionnaire(session, v2)
    team.vendor_a.auto_resend = True
    for vendor in (team.vendor_a, team.vendor_b):
        vendor.next_review_date = TODAY - timedelta(days=1)
        session.add(vendor)
    session.commit()

    started = run_reassessments(engine, settings, today=TODAY)
    assert [s.vendor_id for s in started] == [team.vendor_a.id]  # B has no automatic re-sending
    session.rollback()
    fresh = session.get(Assessment, started[0].assessment_id)
    assert fresh.status == AssessmentStatus.sent and fresh.questionnaire_id == newer.id
    assert fresh.created_by_id is None and fresh.due_date == TODAY + timedelta(days=30)
    prefilled = answers_of(session=session, assessment_id=fresh.id)
    # gov.policy: accepted and unchanged → carried over; gov.notes changed text; gov.role rejected.
    assert {k: a.value for k, a in prefilled.items()} == {"gov.policy": 4}
    assert prefilled["gov.policy"].review_state == ReviewState.pending
    assert prefilled["gov.policy"].prefilled_from_id is not None
    emails = session.exec(select(OutboxEmail).where(OutboxEmail.assessment_id == fresh.id)).all()
    assert {e.to_address for e in emails} == {team.contact_a.email, team.pending_a.email}
    assert "periodic review" in emails[0].text_body
    assert set(compiled(newer).by_key) >= set(prefilled)

    assert run_reassessments(engine, settings, today=TODAY) == []  # an open one exists already

    team.org.settings = {"auto_resend": True}  # the organisation-wide default covers vendor B
    session.add(team.org)
    session.commit()
    assert [s.vendor_id for s in run_reassessments(engine, settings, today=TODAY)] == [
        team.vendor_b.id
    ]


def test_completing_a_review_sets_the_next_review_date(session, team):
    from app.assessments.reassessment import set_next_review

    team.vendor_b.tier = "low"
    done = _completed(session, team, team.vendor_b)
    done.completed_at = utcnow()
    next_date = set_next_review(session=session, assessment=done, actor=team.analyst)
    assert next_date == add_months(utcnow().date(), 36)
    assert session.get(Vendor, team.vendor_b.id).next_review_date == next_date


def test_assay_reassess(session, settings, team, monkeypatch, capsys):
    _completed(session, team, team.vendor_a)
    team.vendor_a.auto_resend = True
    team.vendor_a.next_review_date = TODAY
    session.add(team.vendor_a)
    session.commit()
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    assert main(["reassess", "--no-send"]) == 0
    out = capsys.readouterr().out
    assert "Started 1 re-assessment(s)." in out and "1 answer(s) carried over" in out
