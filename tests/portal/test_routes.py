"""Portal pages driven like a browser: autosave fragments, plain posts, conflicts, submission."""

from __future__ import annotations

import html
import io
import re

from pypdf import PdfReader
from sqlmodel import select

from app.assessments.service import answers_of, save_answer
from app.models import (
    Answer,
    AnswerEvidence,
    AssessmentStatus,
    AuditEvent,
    Comment,
    CommentVisibility,
    OutboxEmail,
    Role,
)
from tests.factories import (
    make_assessment,
    make_evidence,
    make_org,
    make_user,
    make_vendor,
    make_vendor_user,
)
from tests.helpers import count_statements, login

HX = {"HX-Request": "true"}


def _switch(client, email: str) -> None:
    """Sign out the current user and sign in as another."""
    client.headers.pop("X-CSRF-Token", None)
    login(client, email)


def _fresh(session) -> None:
    """See what the requests committed: end the test's transaction and forget loaded rows."""
    session.rollback()
    session.expire_all()


def _url(world, tail: str = "") -> str:
    return f"/portal/assessments/{world.assessment.id}{tail}"


def test_home_lists_assessments_of_every_buyer_but_not_drafts(client, session, world):
    other_org = make_org(session, "Second Bank")
    other_buyer = make_user(session, other_org)
    other_vendor = make_vendor(session, other_org, "Cobalt Cloud SE (2nd)")
    from app.models import VendorContact

    session.add(
        VendorContact(
            vendor_id=other_vendor.id,
            name="c",
            email=world.contact.email,
            user_id=world.contact.id,
        )
    )
    make_assessment(session, other_org, other_vendor, other_buyer)
    make_assessment(session, world.org, world.vendor, world.procurement, status="draft")
    session.commit()
    login(client, world.contact.email)
    page = client.get("/portal")
    assert page.status_code == 200
    assert "Harbour Bank" in page.text and "Second Bank" in page.text
    assert page.text.count("<progress") == 2
    assert 'style="' not in page.text


def test_buyers_cannot_open_the_portal_and_strangers_get_404(client, session, world):
    login(client, world.procurement.email)
    assert client.get("/portal").status_code == 403
    other = make_vendor(session, world.org, "Other Vendor")
    stranger = make_vendor_user(session, other)
    session.commit()
    _switch(client, stranger.email)
    assert client.get(_url(world)).status_code == 404


def test_page_renders_each_question_with_help_refs_and_required_marks(client, world):
    login(client, world.contact.email)
    page = client.get(_url(world))
    assert page.status_code == 200
    text = page.text
    assert "How mature is your AI policy?" in text
    assert "ISO/IEC 42001 A.2.2" in text
    assert 'title="Required"' in text
    assert 'value="5"' in text and "level 5" in text  # maturity with descriptors
    assert 'type="radio" name="value" value="provider"' in text
    # The conditional question is a hidden placeholder until gov.role is "provider".
    assert '<div id="q-gov-provider_qms" class="question" hidden' in text
    assert 'hx-trigger="change, submit"' in text
    assert 'style="' not in text


def test_autosave_returns_state_version_and_reveals_conditional_question(client, world):
    login(client, world.contact.email)
    response = client.post(
        _url(world, "/answers/gov.role"), data={"value": "provider", "version": "0"}, headers=HX
    )
    assert response.status_code == 200
    text = response.text
    assert 'id="state-q-gov-role"' in text and "Saved" in text
    assert 'id="ver-q-gov-role" value="1" hx-swap-oob="true"' in text
    # gov.provider_qms appears out of band with its form.
    assert re.search(r'<article id="q-gov-provider_qms"[^>]*hx-swap-oob="true"', text)
    assert "Describe your quality management system." in text
    assert 'id="progress-all"' in text
    # Changing the answer again hides it.
    response = client.post(
        _url(world, "/answers/gov.role"), data={"value": "deployer", "version": "1"}, headers=HX
    )
    assert (
        '<div id="q-gov-provider_qms" class="question" hidden hx-swap-oob="true"' in response.text
    )


def test_plain_post_without_javascript_redirects_back_to_the_question(client, session, world):
    login(client, world.contact.email)
    response = client.post(
        _url(world, "/answers/gov.policy"),
        data={"value": "2", "version": "0", "comment": "See the policy"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("#q-gov-policy")
    answer = answers_of(session=session, assessment_id=world.assessment.id)["gov.policy"]
    assert answer.value == 2 and answer.comment == "See the policy"
    session.refresh(world.assessment)
    assert world.assessment.status == AssessmentStatus.in_progress
    assert "Saved." in client.get(response.headers["location"]).text


def test_invalid_value_shows_the_error_on_the_question(client, world):
    login(client, world.contact.email)
    response = client.post(
        _url(world, "/answers/gov.policy"), data={"value": "9", "version": "0"}, headers=HX
    )
    assert response.status_code == 422
    assert 'class="save-state error"' in response.text
    assert "maturity level from 0 to 5" in response.text


def test_second_editor_gets_a_conflict_with_both_values_and_can_keep_theirs_or_mine(
    client, session, world
):
    # The admin saved first; the contact's form still carries version 0.
    save_answer(
        session=session,
        actor=world.vendor_admin,
        assessment=world.assessment,
        key="gov.notes",
        raw_value="Admin's words",
        expected_version=0,
    )
    session.commit()
    login(client, world.contact.email)
    response = client.post(
        _url(world, "/answers/gov.notes"),
        data={"value": "Contact's words", "version": "0"},
        headers=HX,
    )
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#q-gov-notes"
    assert "Admin&#39;s words" in response.text and "Contact&#39;s words" in response.text
    assert "Keep theirs" in response.text and "Keep mine" in response.text
    assert world.vendor_admin.name in response.text
    assert (
        answers_of(session=session, assessment_id=world.assessment.id)["gov.notes"].value
        == "Admin's words"
    )
    # Keep theirs: reload the question.
    card = client.get(_url(world, "/questions/gov.notes"), headers=HX)
    assert "Admin&#39;s words" in card.text and 'value="1"' in card.text
    # Keep mine: re-save with the current version.
    value_json = re.search(r'name="value_json" value="([^"]+)"', response.text).group(1)
    kept = client.post(
        _url(world, "/answers/gov.notes"),
        data={"value_json": html.unescape(value_json), "version": "1"},
        headers=HX,
    )
    assert kept.status_code == 200
    _fresh(session)
    answer = answers_of(session=session, assessment_id=world.assessment.id)["gov.notes"]
    assert answer.value == "Contact's words" and answer.version == 2


def test_group_rows_add_and_remove(client, session, world):
    from tests.factories import SMALL_QUESTIONNAIRE, make_questionnaire

    definition = {
        **SMALL_QUESTIONNAIRE,
        "key": "inventory-test",
        "sections": [
            {
                "key": "inv",
                "title": "Inventory",
                "questions": [
                    {
                        "key": "inv.systems",
                        "text": "List your AI systems.",
                        "type": "group",
                        "fields": [
                            {"key": "name", "text": "Name", "type": "text"},
                            {
                                "key": "risk",
                                "text": "Risk",
                                "type": "single_choice",
                                "options": [
                                    {"value": "high", "label": "High"},
                                    {"value": "low", "label": "Low"},
                                ],
                            },
                        ],
                    }
                ],
            }
        ],
    }
    assessment = make_assessment(
        session, world.org, world.vendor, world.procurement, make_questionnaire(session, definition)
    )
    session.commit()
    login(client, world.contact.email)
    url = f"/portal/assessments/{assessment.id}/answers/inv.systems"
    response = client.post(
        url,
        data={"version": "0", "row-0-name": "Scorer", "row-0-risk": "high", "add_row": "1"},
        headers=HX,
    )
    assert response.status_code == 200
    assert 'name="row-1-name"' in response.text  # a blank row to fill in
    client.post(
        url,
        data={
            "version": "1",
            "row-0-name": "Scorer",
            "row-0-risk": "high",
            "row-1-name": "Chatbot",
            "row-1-risk": "low",
        },
        headers=HX,
    )
    response = client.post(
        url,
        data={
            "version": "2",
            "row-0-name": "Scorer",
            "row-0-risk": "high",
            "row-1-name": "Chatbot",
            "row-1-risk": "low",
            "remove_row": "0",
        },
        headers=HX,
    )
    _fresh(session)
    assert answers_of(session=session, assessment_id=assessment.id)["inv.systems"].value == [
        {"name": "Chatbot", "risk": "low"}
    ]


def test_comments_show_vendor_messages_only_and_vendor_can_reply(client, session, world):
    for visibility, body in (
        (CommentVisibility.vendor, "Please name the policy owner."),
        (CommentVisibility.internal, "Internal: weak answer"),
    ):
        session.add(
            Comment(
                assessment_id=world.assessment.id,
                question_key="gov.policy",
                visibility=visibility,
                author_id=world.procurement.id,
                body=body,
            )
        )
    session.commit()
    login(client, world.contact.email)
    page = client.get(_url(world))
    assert "Please name the policy owner." in page.text
    assert "Internal: weak answer" not in page.text
    reply = client.post(
        _url(world, "/questions/gov.policy/comments"), data={"body": "The CISO."}, headers=HX
    )
    assert reply.status_code == 200 and "The CISO." in reply.text
    assert "Internal: weak answer" not in reply.text
    _fresh(session)
    stored = session.exec(select(Comment).where(Comment.body == "The CISO.")).one()
    assert stored.visibility == CommentVisibility.vendor


def test_attach_and_detach_evidence_flags_expiring_files(client, session, world):
    from datetime import timedelta

    from app.models import utcnow

    evidence = make_evidence(session, world.vendor, "policy.pdf")
    evidence.valid_until = utcnow().date() + timedelta(days=5)
    session.commit()
    login(client, world.contact.email)
    response = client.post(
        _url(world, "/questions/gov.policy/evidence"),
        data={"evidence_id": str(evidence.id)},
        headers=HX,
    )
    assert response.status_code == 200
    assert "policy.pdf" in response.text and "expiring" in response.text
    _fresh(session)
    assert session.exec(select(AnswerEvidence)).one().evidence_id == evidence.id
    response = client.post(
        _url(world, f"/questions/gov.policy/evidence/{evidence.id}/detach"), headers=HX
    )
    assert response.status_code == 200
    _fresh(session)
    assert session.exec(select(AnswerEvidence)).first() is None
    # Someone else's file is not attachable.
    other = make_vendor(session, world.org, "Other")
    foreign = make_evidence(session, other, "theirs.pdf")
    session.commit()
    refused = client.post(
        _url(world, "/questions/gov.policy/evidence"),
        data={"evidence_id": str(foreign.id)},
        headers=HX,
    )
    assert refused.status_code == 404


def test_each_card_offers_the_library_files_it_accepts_and_attaches_one(client, session, world):
    """The card's own picker lists the library files of the kinds the question asks for; it
    posts to its question as a plain form or with htmx."""
    first = make_evidence(session, world.vendor, "first.pdf")
    second = make_evidence(session, world.vendor, "second.pdf")
    make_evidence(session, world.vendor, "contract.pdf", kind="contract")
    session.commit()
    login(client, world.contact.email)
    page = client.get(_url(world)).text
    assert f'<option value="{first.id}">first.pdf (policy)</option>' in page
    assert "contract.pdf" not in page  # gov.policy asks for a policy
    assert "PDF, Word (DOCX)" in page and "up to 25 MB per file" in page  # types and limit
    attach = _url(world, "/questions/gov.policy/evidence")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    # Without JavaScript: back to the question on its section page.
    client.headers.pop("X-CSRF-Token", None)
    response = client.post(
        attach,
        data={"csrf_token": token, "evidence_id": str(first.id)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/sections/governance#q-gov-policy")
    # With htmx: the box comes back, with progress out of band.
    response = client.post(
        attach,
        data={"csrf_token": token, "evidence_id": str(second.id)},
        headers=HX | {"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert 'id="ev-q-gov-policy"' in response.text and 'id="section-nav"' in response.text
    _fresh(session)
    attached = session.exec(select(AnswerEvidence.evidence_id)).all()
    assert sorted(attached) == sorted([first.id, second.id])
    detach = _url(world, f"/questions/gov.policy/evidence/{first.id}/detach")
    assert f'action="{detach}"' in response.text
    response = client.post(detach, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    _fresh(session)
    assert session.exec(select(AnswerEvidence.evidence_id)).all() == [second.id]


def test_submit_lists_missing_items_then_succeeds_with_attestation_and_receipt(
    client, session, world
):
    login(client, world.contact.email)
    page = client.get(_url(world, "/submit"))
    assert page.status_code == 200
    section = f"/portal/assessments/{world.assessment.id}/sections/governance"
    assert f'href="{section}#q-gov-policy"' in page.text
    assert "Answer required." in page.text
    # Level 4 needs evidence (required_from_level 3).
    client.post(_url(world, "/answers/gov.policy"), data={"value": "4", "version": "0"})
    client.post(_url(world, "/answers/gov.role"), data={"value": "provider", "version": "0"})
    response = client.post(
        _url(world, "/submit"), data={"name": "Chen Wei", "title": "CISO", "confirm": "on"}
    )
    assert response.status_code == 422
    assert "needs supporting evidence" in response.text
    assert "#q-gov-provider_qms" in response.text  # the question that appeared is required now
    evidence = make_evidence(session, world.vendor, "policy.pdf")
    session.commit()
    client.post(_url(world, "/questions/gov.policy/evidence"), data={"evidence_id": evidence.id})
    client.post(
        _url(world, "/answers/gov.provider_qms"), data={"value": "ISO 9001 QMS", "version": "0"}
    )
    # Attestation is required.
    response = client.post(_url(world, "/submit"), data={"name": "", "title": ""})
    assert response.status_code == 422
    assert "Enter your name" in response.text and "Confirm that" in response.text
    response = client.post(
        _url(world, "/submit"),
        data={"name": "Chen Wei", "title": "CISO", "confirm": "on"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    _fresh(session)
    assessment = session.get(type(world.assessment), world.assessment.id)
    assert assessment.status == AssessmentStatus.submitted
    assert assessment.attestation["name"] == "Chen Wei"
    assert assessment.attestation["user_id"] == world.contact.id
    emails = session.exec(select(OutboxEmail)).all()  # the reviewers hear of it, not the sender
    assert emails and all("submitted" in e.subject for e in emails)
    assert world.procurement.email not in {e.to_address for e in emails}
    # The answers are locked now.
    locked = client.post(
        _url(world, "/answers/gov.notes"), data={"value": "late", "version": "0"}, headers=HX
    )
    assert locked.status_code == 409
    receipt = client.get(_url(world, "/receipt.pdf"))
    assert receipt.status_code == 200
    assert receipt.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.content)).pages)
    assert "Submission receipt" in text
    assert "Chen Wei" in text and "Harbour Bank" in text
    assert "ISO 9001 QMS" in text
    assert evidence.sha256 in text.replace("\n", "")


def test_receipt_before_submission_is_not_found(client, world):
    login(client, world.contact.email)
    assert client.get(_url(world, "/receipt.pdf")).status_code == 404


def test_delegation_by_the_vendor_admin_orders_my_sections_first(client, session, world):
    login(client, world.contact.email)
    refused = client.post(
        _url(world, "/assignments"),
        data={"section_key": "governance", "user_id": str(world.contact.id)},
    )
    assert refused.status_code == 403
    _switch(client, world.vendor_admin.email)
    response = client.post(
        _url(world, "/assignments"),
        data={"section_key": "governance", "user_id": str(world.contact.id)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    _fresh(session)
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "assessment.section_assigned")
    ).one()
    assert event.data["to_user_id"] == world.contact.id
    _switch(client, world.contact.email)
    mine = client.get(_url(world, "?filter=mine"))
    assert 'badge pending">yours' in mine.text
    assert "How mature is your AI policy?" in mine.text
    # The admin has no section of their own: the first section needing work.
    _switch(client, world.vendor_admin.email)
    response = client.get(_url(world, "?filter=mine"), follow_redirects=False)
    assert response.headers["location"].endswith("/sections/governance")


def test_prefill_offers_the_earlier_answer_with_its_files(client, session, world):
    earlier = make_assessment(session, world.org, world.vendor, world.procurement, status="sent")
    session.commit()
    answer = save_answer(
        session=session,
        actor=world.contact,
        assessment=earlier,
        key="gov.policy",
        raw_value="4",
        expected_version=0,
    )
    evidence = make_evidence(session, world.vendor, "policy.pdf")
    session.add(AnswerEvidence(answer_id=answer.id, evidence_id=evidence.id))
    session.commit()
    login(client, world.contact.email)
    page = client.get(_url(world))
    assert "Use previous answer" in page.text and "with 1 file(s)" in page.text
    # The offer is a button of the answer form: it posts that form's version, which autosave
    # keeps current, so the page repeats no form, token or version for it.
    form = re.search(r'<form[^>]*action="[^"]*/answers/gov.policy".*?</form>', page.text, re.S)
    previous = _url(world, "/answers/gov.policy/previous")
    assert f'formaction="{previous}"' in form.group(0)
    assert f'name="source_answer_id" value="{answer.id}"' in form.group(0)
    assert page.text.count('name="source_answer_id"') == 1
    response = client.post(
        previous,
        data={"source_answer_id": str(answer.id), "version": "0", "value": "", "comment": ""},
        headers=HX,
    )
    assert response.status_code == 200
    _fresh(session)
    copied = answers_of(session=session, assessment_id=world.assessment.id)["gov.policy"]
    assert copied.value == 4 and copied.prefilled_from_id == answer.id
    assert session.get(AnswerEvidence, (copied.id, evidence.id)) is not None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "answer.prefilled")).one()


def test_vendor_contact_role_cannot_reach_buyer_profile_changes(client, world):
    login(client, world.contact.email)
    assert client.get(f"/vendors/{world.vendor.id}/profile-changes").status_code == 403


def test_buyer_cannot_answer(client, world):
    login(client, world.procurement.email)
    response = client.post(_url(world, "/answers/gov.policy"), data={"value": "2", "version": "0"})
    assert response.status_code == 403


def test_answer_rows_are_untouched_by_a_rejected_save(client, session, world):
    login(client, world.contact.email)
    client.post(_url(world, "/answers/gov.role"), data={"value": "nonsense", "version": "0"})
    assert session.exec(select(Answer)).first() is None
    assert Role.vendor_contact  # keep the import meaningful


def test_the_library_questionnaire_renders_every_question_type(client, session, world):
    from pathlib import Path

    from app.questionnaires.loader import load_all
    from app.questionnaires.service import publish

    [definition] = [d for d in load_all(Path("questionnaires")) if d.key == "ai-governance-dora"]
    row, _ = publish(session=session, definition=definition)
    assessment = make_assessment(session, world.org, world.vendor, world.procurement, row)
    session.commit()
    login(client, world.contact.email)
    url = f"/portal/assessments/{assessment.id}"
    page = client.get(url)
    assert page.status_code == 200
    # The AI inventory is hidden until the roles say AI is used.
    assert '<div id="q-scope-ai_systems" class="question" hidden' in page.text
    assert 'style="' not in page.text
    response = client.post(
        f"{url}/answers/scope.iso_roles",
        data={"value": ["ai_provider", "ai_customer"], "version": "0"},
        headers=HX,
    )
    assert response.status_code == 200
    assert re.search(r'<article id="q-scope-ai_systems"[^>]*hx-swap-oob="true"', response.text)
    assert 'name="row-0-ai_act_class"' in response.text
    export = client.get(f"{url}/export.xlsx")
    assert export.status_code == 200
    preview = client.post(
        f"{url}/import", files={"workbook": ("a.xlsx", export.content, "application/octet-stream")}
    )
    assert preview.status_code == 200 and "The workbook holds no changes." in preview.text


def test_an_autosave_reads_the_answers_and_the_buyers_facts_once(client, engine, world):
    """The save reads every answer once (visibility before and after, progress, the redraw all
    come from that read), the buyer's AI Act classes once, and not the row it has just saved."""
    login(client, world.contact.email)
    first = client.post(
        _url(world, "/answers/gov.policy"), data={"value": "2", "version": "0"}, headers=HX
    )
    assert first.status_code == 200
    with count_statements(engine) as statements:
        response = client.post(
            _url(world, "/answers/gov.policy"), data={"value": "3", "version": "1"}, headers=HX
        )
    assert response.status_code == 200
    assert 'id="ver-q-gov-policy" value="2"' in response.text
    flat = [" ".join(s.split()) for s in statements]
    answer_reads = [s for s in flat if s.startswith("SELECT") and "FROM answer" in s]
    assert len([s for s in answer_reads if "answer.value" in s]) == 1, answer_reads
    assert not [s for s in answer_reads if s.startswith("SELECT answer.id,")], answer_reads
    assert len([s for s in flat if "FROM aisystem" in s]) == 1, flat


def test_the_page_reads_a_fixed_number_of_statements_however_much_is_answered(
    client, session, engine, world
):
    """Answers, files, messages and earlier answers are read once for the page, not per question:
    an N+1 here costs a statement per question on a 150-question assessment."""
    login(client, world.contact.email)
    with count_statements(engine) as bare:
        assert client.get(_url(world)).status_code == 200
    earlier = make_assessment(session, world.org, world.vendor, world.procurement, status="sent")
    session.commit()
    # Last time's answers differ from this time's (except the role), so two are offered.
    last_time = {"gov.policy": "1", "gov.role": "provider", "gov.provider_qms": "ISO 9000"}
    this_time = {"gov.policy": "2", "gov.role": "provider", "gov.provider_qms": "ISO 9001"}
    for assessment, values in ((earlier, last_time), (world.assessment, this_time)):
        for key, value in values.items():
            answer = save_answer(
                session=session,
                actor=world.contact,
                assessment=assessment,
                key=key,
                raw_value=value,
                expected_version=0,
            )
            evidence = make_evidence(session, world.vendor, f"{assessment.id}-{key}.pdf")
            session.add(AnswerEvidence(answer_id=answer.id, evidence_id=evidence.id))
            session.add(
                Comment(
                    assessment_id=assessment.id,
                    question_key=key,
                    visibility=CommentVisibility.vendor,
                    author_id=world.procurement.id,
                    body=f"About {key}",
                )
            )
    session.commit()
    with count_statements(engine) as full:
        page = client.get(_url(world))
    assert page.status_code == 200
    assert page.text.count("Use previous answer") == 2
    assert page.text.count("About gov.") == 3
    # One statement more: the shown questions' files, read only once the sheet has any.
    assert len(full) == len(bare) + 1, full
