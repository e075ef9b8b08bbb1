"""Reminders: before the due date and when overdue, each threshold once, even run concurrently."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from sqlmodel import Session, func, select

from app.assessments.reminders import claim_reminder, send_reminders, threshold_for
from app.cli import main
from app.db import session_scope
from app.models import OutboxEmail, ReminderLog
from app.notifications.sender import send_pending
from tests.factories import make_assessment

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(30, None), (8, None), (7, "before-7"), (3, "before-7"), (1, "before-1"), (0, "before-1"),
     (-1, "overdue")],
)  # fmt: skip
def test_threshold_is_the_most_urgent_one_reached(days_left, expected):
    assert threshold_for(TODAY + timedelta(days=days_left), TODAY, [7, 1]) == expected


def _reminders(session: Session) -> list[str]:
    session.rollback()
    return list(session.exec(select(ReminderLog.threshold).order_by(ReminderLog.id)))


def _reminder_emails(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == "reminder")
    ).one()


def _due_assessment(session, team, *, due: date, status: str = "sent"):
    assessment = make_assessment(
        session, team.org, team.vendor_a, team.procurement, team.questionnaire, status=status
    )
    assessment.due_date = due
    session.add(assessment)
    session.commit()
    return assessment


def test_each_threshold_fires_once_as_the_days_pass(session, engine, settings, team):
    assessment = _due_assessment(session, team, due=TODAY + timedelta(days=10))
    contacts = 2  # the signed-up contact and the one still to accept their invitation
    for day, expected in [
        (TODAY, []),
        (TODAY + timedelta(days=3), ["before-7"]),
        (TODAY + timedelta(days=4), ["before-7"]),  # nothing new the next day
        (TODAY + timedelta(days=9), ["before-7", "before-1"]),
        (TODAY + timedelta(days=9), ["before-7", "before-1"]),  # a second run the same day
        (TODAY + timedelta(days=11), ["before-7", "before-1", "overdue"]),
        (TODAY + timedelta(days=40), ["before-7", "before-1", "overdue"]),  # overdue only once
    ]:
        send_reminders(engine, settings, today=day)
        assert _reminders(session) == expected, day
    assert _reminder_emails(session) == 3 * contacts
    overdue = session.exec(
        select(OutboxEmail).where(OutboxEmail.subject.startswith("Overdue"))
    ).first()
    assert overdue is not None and overdue.assessment_id == assessment.id
    assert "has not been submitted yet" in overdue.text_body


@pytest.mark.parametrize("status", ["draft", "submitted", "under_review", "completed", "cancelled"])
def test_no_reminders_when_the_vendor_has_nothing_to_do(session, engine, settings, team, status):
    _due_assessment(session, team, due=TODAY - timedelta(days=2), status=status)
    assert send_reminders(engine, settings, today=TODAY).sent == 0
    assert _reminders(session) == []


def test_a_held_claim_makes_the_concurrent_claim_lose(session, engine, team):
    """Process A has inserted its log row but not committed; B's claim waits and then loses."""
    assessment = _due_assessment(session, team, due=TODAY)
    a_claimed, a_may_commit = threading.Event(), threading.Event()
    results: dict[str, bool] = {}

    def process_a() -> None:
        with session_scope(engine) as s:
            results["a"] = claim_reminder(
                session=s, assessment_id=assessment.id, threshold="before-1"
            )
            a_claimed.set()
            a_may_commit.wait(5)

    def process_b() -> None:
        a_claimed.wait(5)
        with session_scope(engine) as s:
            results["b"] = claim_reminder(
                session=s, assessment_id=assessment.id, threshold="before-1"
            )

    threads = [threading.Thread(target=process_a), threading.Thread(target=process_b)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # B is now blocked on A's uncommitted row (or the SQLite write lock)
    assert "b" not in results
    a_may_commit.set()
    for thread in threads:
        thread.join(15)
    assert results == {"a": True, "b": False}
    assert _reminders(session) == ["before-1"]


def test_two_runs_at_the_same_time_send_each_reminder_once(session, engine, settings, team):
    assessments = [_due_assessment(session, team, due=TODAY + timedelta(days=1)) for _ in range(6)]
    start = threading.Barrier(2)
    reports = []

    def run() -> None:
        start.wait(5)
        reports.append(send_reminders(engine, settings, today=TODAY))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r.sent for r in reports) == len(assessments)
    assert _reminders(session) == ["before-1"] * len(assessments)
    assert _reminder_emails(session) == 2 * len(assessments)


def test_assay_remind_for_cron(session, engine, settings, team, monkeypatch, capsys, smtp_settings,
                               mailbox):  # fmt: skip
    _due_assessment(session, team, due=TODAY - timedelta(days=1))
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_SMTP_PORT", str(smtp_settings.smtp_port))
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    assert main(["remind", "--today", TODAY.isoformat()]) == 0
    assert "Queued 1 reminder(s) (2 email(s))" in capsys.readouterr().out
    assert len(mailbox.to(team.contact_a.email)) == 1
    assert main(["remind", "--today", TODAY.isoformat()]) == 0
    assert "Queued 0 reminder(s)" in capsys.readouterr().out
    assert send_pending(engine, smtp_settings).sent == 0
    assert len(mailbox.messages) == 2
