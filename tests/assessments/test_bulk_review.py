"""Review at scale: filters and labels, bulk accept of answers and files (all or nothing), and
clarifications collected into one round with its state."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select

from app.assessments.comments import add_comment
from app.assessments.lifecycle import Side
from app.assessments.service import answers_of, apply_transition, save_answer
from app.models import (
    AnswerEvidence,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Evidence,
    OutboxEmail,
    ReviewState,
)
from tests.factories import make_assessment
from tests.helpers import login

ANSWERS = [("gov.policy", "4"), ("gov.role", "provider"), ("gov.provider_qms", "ISO 9001")]


def _submitted(session: Session, team, vendor, contact) -> Assessment:
    assessment = make_assessment(
        session, team.org, vendor, team.procurement, team.questionnaire, status="in_progress"
    )
    for key, value in ANSWERS:
        save_answer(session=session, actor=contact, assessment=assessment, key=key,
                    raw_value=value, expected_version=0)  # fmt: skip
    apply_transition(session=session, assessment=assessment, name="submit", actor=contact,
                     side=Side.vendor)  # fmt: skip
    return assessment


@pytest.fixture
def two(session, team) -> tuple[Assessment, Assessment]:
    """Vendor A's and vendor B's submitted assessments; A's policy answer carries one file."""
    a = _submitted(session, team, team.vendor_a, team.contact_a)
    b = _submitted(session, team, team.vendor_b, team.contact_b)
    policy = answers_of(session=session, assessment_id=a.id)["gov.policy"]
    item = Evidence(vendor_id=team.vendor_a.id, sha256="b" * 64, filename="policy.pdf", size=10,
                    media_type="application/pdf", storage_key="bb/policy.pdf", kind="policy")  # fmt: skip
    session.add(item)
    session.flush()
    session.add(AnswerEvidence(answer_id=policy.id, evidence_id=item.id))
    session.commit()
    return a, b


def _tokens(session, assessment) -> dict[str, str]:
    return {
        k: f"{a.id}:{a.version}"
        for k, a in answers_of(session=session, assessment_id=assessment.id).items()
    }


def _states(session, assessment) -> dict[str, str]:
    session.rollback()  # a fresh read after the request committed
    return {
        k: str(a.review_state)
        for k, a in answers_of(session=session, assessment_id=assessment.id).items()
    }


def _accepted_events(session) -> int:
    return session.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "answer.accepted")
    ).one()


def test_the_page_shows_labels_filters_and_section_counts(client, session, team, two):
    a, _ = two
    login(client, team.analyst.email)
    page = client.get(f"/assessments/{a.id}").text
    assert '<p class="answer-value">Provider</p>' in page  # the label, never the code
    assert 'title="gov.role"' in page  # the key only on hover
    assert "3 – level 3" not in page and "4 – level 4" in page
    assert "claimed level 4 → counts <strong>3</strong>" in page  # a file, not yet reviewed
    attention = client.get(f"/assessments/{a.id}?show=evidence").text
    assert 'id="q-gov.policy"' in attention and 'id="q-gov.role"' not in attention
    assert client.get(f"/assessments/{a.id}?show=bogus").status_code == 422


def test_bulk_accept_of_chosen_answers_and_files(client, session, team, two):
    a, _ = two
    tokens = _tokens(session, a)
    login(client, team.analyst.email)
    done = client.post(
        f"/assessments/{a.id}/bulk-review",
        data={"do": "answers", "answer": [tokens["gov.role"], tokens["gov.provider_qms"]]},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[-3000:]
    assert _states(session, a) == {
        "gov.policy": "pending", "gov.role": "accepted", "gov.provider_qms": "accepted",
    }  # fmt: skip
    assert _accepted_events(session) == 2  # one audit event per answer
    session.refresh(a)
    assert a.status == AssessmentStatus.under_review  # the first verdict started the review

    # The policy answer's file is pending: "files accepted" leaves the answer alone…
    refused = client.post(f"/assessments/{a.id}/bulk-review", data={"do": "files_accepted"})
    assert refused.status_code == 422 and "No pending answer" in refused.text
    # …until the file is accepted in bulk.
    policy = answers_of(session=session, assessment_id=a.id)["gov.policy"]
    link = session.exec(select(AnswerEvidence).where(AnswerEvidence.answer_id == policy.id)).one()
    pair = f"{policy.id}:{link.evidence_id}"
    assert client.post(f"/assessments/{a.id}/bulk-review", data={"do": "files", "file": [pair]},
                       follow_redirects=False).status_code == 303  # fmt: skip
    accepted = client.post(
        f"/assessments/{a.id}/bulk-review", data={"do": "files_accepted"}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert set(_states(session, a).values()) == {"accepted"}


def test_a_bulk_step_with_another_assessments_answer_applies_nothing(client, session, team, two):
    a, b = two
    mine, theirs = _tokens(session, a), _tokens(session, b)
    login(client, team.analyst.email)
    response = client.post(
        f"/assessments/{a.id}/bulk-review",
        data={"do": "answers", "answer": [mine["gov.role"], theirs["gov.role"]]},
    )
    assert response.status_code == 404
    assert "not part of this assessment; nothing was accepted" in response.text
    assert set(_states(session, a).values()) == {"pending"}
    assert set(_states(session, b).values()) == {"pending"}
    assert _accepted_events(session) == 0
    policy_b = answers_of(session=session, assessment_id=b.id)["gov.policy"]
    files = client.post(f"/assessments/{a.id}/bulk-review",
                        data={"do": "files", "file": [f"{policy_b.id}:1"]})  # fmt: skip
    assert files.status_code == 404 and "nothing was accepted" in files.text
    garbled = client.post(f"/assessments/{a.id}/bulk-review",
                          data={"do": "answers", "answer": ["12;x"]})  # fmt: skip
    assert garbled.status_code == 422 and "reload the page" in garbled.text


def test_a_bulk_step_with_a_stale_version_applies_nothing(client, session, team, two):
    a, _ = two
    tokens = _tokens(session, a)
    role = answers_of(session=session, assessment_id=a.id)["gov.role"]
    stale = f"{role.id}:{role.version - 1}"
    login(client, team.analyst.email)
    response = client.post(
        f"/assessments/{a.id}/bulk-review",
        data={"do": "answers", "answer": [tokens["gov.policy"], stale]},
    )
    assert response.status_code == 409
    assert "“Which AI Act role do you hold?” was changed by the vendor" in response.text
    assert "nothing was accepted" in response.text
    assert set(_states(session, a).values()) == {"pending"}
    session.refresh(a)
    assert a.status == AssessmentStatus.submitted  # not even the review was started
    assert _accepted_events(session) == 0


def test_clarifications_are_collected_and_sent_as_one_message(client, session, team, two):
    a, _ = two
    login(client, team.analyst.email)
    for key, decision, reason in [
        ("gov.policy", "clarification", "Who approved the policy, and when?"),
        ("gov.provider_qms", "rejected", "A QMS name is not a description."),
    ]:
        client.post(f"/assessments/{a.id}/answers/{key}/review",
                    data={"decision": decision, "reason": reason})  # fmt: skip
    # Drafts only: nothing in the vendor's thread, no email yet; the page lists them.
    page = client.get(f"/assessments/{a.id}").text
    assert "2 requests to send with the next send-back" in page
    assert "Send 2 requests back to the vendor" in page
    assert session.exec(select(func.count()).select_from(OutboxEmail)
                        .where(OutboxEmail.kind == "clarification")).one() == 0  # fmt: skip

    sent = client.post(f"/assessments/{a.id}/review/request_clarification", data={"reason": ""},
                       follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    session.rollback()
    emails = session.exec(
        select(OutboxEmail).where(OutboxEmail.kind == "clarification").order_by(col(OutboxEmail.id))
    ).all()
    assert {e.to_address for e in emails} == {team.contact_a.email, team.pending_a.email}
    text = emails[0].text_body  # ONE message listing each question with its request
    assert "How mature is your AI policy?" in text and "Who approved the policy" in text
    assert "Describe your quality management system." in text
    assert "Rejected: A QMS name is not a description." in text
    assert "(2 questions)" in emails[0].subject

    # The vendor answers one in its thread and changes nothing else: "2 asked, 1 answered".
    apply_transition(session=session, assessment=a, name="resume", actor=team.contact_a,
                     side=Side.vendor)  # fmt: skip
    add_comment(session=session, actor=team.contact_a, assessment=a, question_key="gov.policy",
                body="The board, in March.", visibility="vendor")  # fmt: skip
    apply_transition(session=session, assessment=a, name="submit", actor=team.contact_a,
                     side=Side.vendor)  # fmt: skip
    session.commit()
    page = client.get(f"/assessments/{a.id}").text
    assert "2 asked, 1 answered" in page, page
    changed = client.get(f"/assessments/{a.id}?show=changed").text
    assert "No answer matches this filter." in changed  # a reply is not a changed answer
    assert _states(session, a)["gov.policy"] == ReviewState.clarification
