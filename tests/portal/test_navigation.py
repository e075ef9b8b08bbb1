"""One section per page: the section list, filters, next links, the buyer's verdicts, the home
page's attention list and days left, and "this document covers …"."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from app.assessments.service import save_answer
from app.models import Answer, AnswerEvidence, ReviewState, utcnow
from tests.evidence.multipart import CONTENT_TYPE, multipart
from tests.evidence.samples import pdf_bytes
from tests.factories import make_evidence, make_questionnaire
from tests.helpers import login
from tests.portal.test_service import REPORT_QUESTIONS
from tests.worlds import make_sent_assessment

TWO_SECTIONS = {
    "key": "two-sections",
    "version": 1,
    "title": "Two sections",
    "sections": [
        {
            "key": "first",
            "title": "First things",
            "questions": [
                {"key": "a.one", "text": "Question one", "type": "text"},
                {"key": "a.two", "text": "Question two", "type": "text"},
            ],
        },
        {
            "key": "second",
            "title": "Second things",
            "questions": [
                {"key": "b.one", "text": "Question three", "type": "text"},
                {"key": "b.two", "text": "Question four", "type": "text", "required": False},
            ],
        },
    ],
}


def _world(session, definition=TWO_SECTIONS, status="sent"):
    world = make_sent_assessment(
        session, questionnaire=make_questionnaire(session, definition), status=status
    )
    world.assessment.due_date = utcnow().date() + timedelta(days=5)
    session.add(world.assessment)
    session.commit()
    return world


def _answer(session, world, key, value, verdict=None, reason=None):
    answer = save_answer(
        session=session,
        actor=world.contact,
        assessment=world.assessment,
        key=key,
        raw_value=value,
        expected_version=0,
    )
    if verdict:
        answer.review_state, answer.review_reason = verdict, reason
        session.add(answer)
    session.commit()
    return answer


def test_each_section_has_its_own_page_and_the_old_address_leads_to_the_work(client, session):
    world = _world(session)
    _answer(session, world, "a.one", "done")
    _answer(session, world, "a.two", "done")
    login(client, world.contact.email)
    base = f"/portal/assessments/{world.assessment.id}"
    old = client.get(base, follow_redirects=False)
    assert old.status_code == 303
    assert old.headers["location"] == f"{base}/sections/second"  # the first one is done
    page = client.get(f"{base}/sections/second").text
    assert "Question three" in page and "Question one" not in page  # one section per page
    assert f'<a href="{base}/sections/second" aria-current="page">Second things</a>' in page
    assert "2/2" in page and "0/1" in page  # per-section progress in the list
    assert f'href="{base}/sections/second#q-b-one">Next unanswered (1 left)' in page
    assert 'rel="prev"' in page and "← First things" in page
    assert "sticky" not in page
    assert client.get(f"{base}/sections/nope").status_code == 404


def test_the_buyers_verdict_and_reason_are_on_the_card_and_the_filter_finds_them(client, session):
    world = _world(session, status="in_progress")
    _answer(session, world, "a.one", "yes", ReviewState.accepted)
    _answer(session, world, "b.one", "maybe", ReviewState.clarification, "Which systems?")
    login(client, world.contact.email)
    base = f"/portal/assessments/{world.assessment.id}"
    # The old address leads where the buyer sent something back, before what is unanswered.
    assert client.get(base, follow_redirects=False).headers["location"].endswith("/second")
    page = client.get(f"{base}/sections/second").text
    assert "The buyer asks for clarification" in page and "Which systems?" in page
    assert "Next needing attention (1)" in page
    assert "1 to fix" in page
    attention = client.get(f"{base}/sections/second?show=attention").text
    assert "Question three" in attention and "Question four" not in attention
    first = client.get(f"{base}/sections/first?show=unanswered").text
    assert "Question two" in first and "Question one" not in first
    assert "Accepted by the buyer" in client.get(f"{base}/sections/first").text


def test_an_answer_changed_after_a_verdict_says_at_once_that_it_waits_for_review(client, session):
    """The autosave redraws the verdict: the request for clarification gives way to "changed"
    without a reload."""
    world = _world(session, status="in_progress")
    answer = _answer(session, world, "b.one", "maybe", ReviewState.clarification, "Which?")
    answer.reviewed_at = utcnow()
    session.add(answer)
    session.commit()
    login(client, world.contact.email)
    base = f"/portal/assessments/{world.assessment.id}"
    page = client.get(f"{base}/sections/second").text
    assert '<div id="verdict-q-b-one" class="verdict-slot" data-attention="yes">' in page
    assert "The buyer asks for clarification" in page
    saved = client.post(
        f"{base}/answers/b.one",
        data={"value": "All of them", "version": str(answer.version)},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    # and says the card no longer needs attention (portal.js drops the card's marker)
    verdict = (
        '<div id="verdict-q-b-one" class="verdict-slot" data-attention="no" hx-swap-oob="true">'
    )
    assert verdict in saved.text
    assert "Changed since the buyer's review" in saved.text
    assert "asks for clarification" not in saved.text
    assert "Changed since the buyer's review" in client.get(f"{base}/sections/second").text


def test_the_home_page_says_what_needs_attention_and_how_many_days_are_left(client, session):
    world = _world(session, status="in_progress")
    _answer(session, world, "b.one", "maybe", ReviewState.rejected, "Not what we asked.")
    login(client, world.contact.email)
    home = client.get("/portal").text
    assert "1 question needs your attention" in home
    base = f"/portal/assessments/{world.assessment.id}"
    assert f'<a href="{base}/sections/second#q-b-one">Question three</a>' in home
    assert "5 days left" in home


def test_this_document_covers_page_ticks_the_questions_needing_it_and_attaches_all(client, session):
    world = _world(session, REPORT_QUESTIONS)
    soc2 = make_evidence(session, world.vendor, "soc2.pdf", kind="report")
    session.commit()
    login(client, world.contact.email)
    url = f"/portal/assessments/{world.assessment.id}/evidence/{soc2.id}"
    page = client.get(url).text
    assert page.count('name="question" value="assure.q') == 3
    assert page.count(" checked>") == 3  # every report question still needs a file
    assert "assure.policy" not in page  # asks for a policy, not a report
    done = client.post(
        url, data={"question": ["assure.q0", "assure.q1", "assure.q2"]}, follow_redirects=False
    )
    assert done.status_code == 303
    session.rollback()
    keys = session.exec(
        select(Answer.question_key).join(
            AnswerEvidence, col(AnswerEvidence.answer_id) == col(Answer.id)
        )
    ).all()
    assert sorted(keys) == ["assure.q0", "assure.q1", "assure.q2"]
    library = client.get(f"/vendors/{world.vendor.id}/evidence").text
    assert f'<a href="{url}">This document covers …</a>' in library and "3 answers" in library


def test_a_covers_post_with_a_wrong_question_says_why_and_attaches_nothing(client, session):
    world = _world(session, REPORT_QUESTIONS)
    soc2 = make_evidence(session, world.vendor, "soc2.pdf", kind="report")
    session.commit()
    login(client, world.contact.email)
    url = f"/portal/assessments/{world.assessment.id}/evidence/{soc2.id}"
    refused = client.post(url, data={"question": ["assure.q0", "assure.policy"]})
    assert refused.status_code == 422
    assert "Nothing was attached." in refused.text and "asks for a policy document" in refused.text
    session.rollback()
    assert session.exec(select(AnswerEvidence)).all() == []
    nothing = client.post(url, data={})
    assert nothing.status_code == 422 and "Tick at least one question" in nothing.text


def test_an_upload_on_a_question_without_javascript_leads_to_the_questions_it_covers(
    client, session
):
    world = _world(session, REPORT_QUESTIONS)
    login(client, world.contact.email)
    body = multipart(
        [
            ("csrf_token", client.headers["X-CSRF-Token"]),
            ("kind", "report"),
            ("assessment_id", str(world.assessment.id)),
            ("question_key", "assure.q1"),
            ("file", ("soc2.pdf", pdf_bytes("SOC 2 type II"))),
        ]
    )
    response = client.post(
        f"/vendors/{world.vendor.id}/evidence",
        content=body,
        headers={"Content-Type": CONTENT_TYPE},
        follow_redirects=False,
    )
    assert response.status_code == 303
    target = response.headers["location"]
    assert target.startswith(f"/portal/assessments/{world.assessment.id}/evidence/")
    assert target.endswith("?also=assure.q1")
    page = client.get(target).text
    assert page.count(" checked>") == 3  # the question uploaded on, and the others needing one


def test_a_file_uploaded_on_a_question_is_offered_for_the_others_it_covers(client, session):
    world = _world(session, REPORT_QUESTIONS)
    soc2 = make_evidence(session, world.vendor, "soc2.pdf", kind="report")
    session.commit()
    login(client, world.contact.email)
    response = client.post(
        f"/portal/assessments/{world.assessment.id}/questions/assure.q0/evidence",
        data={"evidence_id": str(soc2.id), "uploaded": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    panel = response.text[response.text.index('class="covers-panel"') :]
    assert "This document also covers" in panel
    assert 'value="assure.q1" checked>' in panel and 'value="assure.q2" checked>' in panel
    assert 'value="assure.q0" checked disabled>' in panel  # the one it was uploaded on


def test_a_file_of_the_wrong_kind_is_refused_on_the_question_with_a_clear_message(client, session):
    world = _world(session, REPORT_QUESTIONS)
    contract = make_evidence(session, world.vendor, "msa.pdf", kind="contract")
    session.commit()
    login(client, world.contact.email)
    response = client.post(
        f"/portal/assessments/{world.assessment.id}/questions/assure.q0/evidence",
        data={"evidence_id": str(contract.id)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert 'role="alert">Nothing was attached.' in response.text
    assert "asks for a report or certificate document" in response.text
    session.rollback()
    assert session.exec(select(AnswerEvidence)).all() == []
