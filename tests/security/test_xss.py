"""Every free-text field of every form, filled with a script payload, comes back escaped on each
page that shows it (and on the audit trail, which shows what was typed).

Each field gets its own payload (`xss1`, `xss2`, …) so a page that escapes one field but not
another is caught by name. A field that is not on the page at all fails too: the test proves the
field was rendered, escaped, not merely absent.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from app.models import (
    AssessmentStatus,
    BusinessFunction,
    Campaign,
    Contract,
    Finding,
    OutboxEmail,
    Questionnaire,
    Vendor,
)
from tests.evidence.multipart import CONTENT_TYPE, multipart
from tests.evidence.samples import pdf_bytes
from tests.security.hostile import assert_rendered_escaped, escaped, script

LEI = "529900T8BM49AURSDO55"


def payloads(*fields: str) -> dict[str, str]:
    return {field: script(f"-{field}") for field in fields}


def posted(response, *ok: int) -> None:
    assert response.status_code in (ok or (303,)), response.text[:2000]


def set_status(engine, assessment_id: int, status: AssessmentStatus) -> None:
    from app.models import Assessment

    with Session(engine) as session:
        assessment = session.get(Assessment, assessment_id)
        assessment.status = status
        session.add(assessment)
        session.commit()


def vendor_form(texts: dict[str, str], **values: str) -> dict[str, str]:
    return {
        "legal_name": "Placeholder GmbH",
        "identifier_type": "CRN",
        "identifier": "HRB 1",
        "hq_country": "DE",
        **values,
        **texts,
    }


def test_vendor_fields_are_escaped_on_every_page_that_shows_them(signed_in, site, engine):
    texts = payloads(
        "legal_name",
        "latin_name",
        "identifier",
        "additional_identifier",
        "parent_name",
        "parent_identifier",
        "description",
        "cloud_providers",
    )
    client = signed_in(site.admin)
    response = client.post(
        "/vendors",
        data=vendor_form(texts, additional_identifier_type="CRN", parent_identifier_type="CRN"),
        follow_redirects=False,
    )
    posted(response)
    vendor_id = int(response.headers["location"].rsplit("/", 1)[1])

    assert_rendered_escaped(client.get(f"/vendors/{vendor_id}").text, texts, "the vendor page")
    assert_rendered_escaped(client.get(f"/vendors/{vendor_id}/edit").text, texts, "the edit form")
    name = {"legal_name": texts["legal_name"]}
    for page in ("/vendors", "/register", f"/register/vendors/{vendor_id}", "/audit"):
        assert_rendered_escaped(client.get(page).text, name, page)


def test_arrangement_subcontractor_contact_and_ai_system_fields_are_escaped(
    signed_in, site, engine
):
    client = signed_in(site.procurement)
    vendor = site.vendor.id
    contract_texts = payloads("reference", "description", "alternatives")
    posted(client.post(f"/vendors/{vendor}/contracts", data=contract_texts, follow_redirects=False))
    with Session(engine) as session:
        contract = session.exec(select(Contract).where(Contract.vendor_id == vendor)).one()
    sub_texts = payloads("name", "identifier", "what", "recipient_identifier")
    posted(
        client.post(
            f"/vendors/{vendor}/contracts/{contract.id}/subcontractors",
            data={**sub_texts, "identifier_type": "CRN", "rank": "2"},
            follow_redirects=False,
        )
    )
    contact_texts = payloads("name", "title", "phone")
    contact_texts["email"] = "\"'><script>xss-email</script>@vendor.example"
    posted(client.post(f"/vendors/{vendor}/contacts", data=contact_texts, follow_redirects=False))
    system_texts = payloads(
        "name", "purpose", "model_provider", "foundation_model", "human_oversight"
    )
    posted(client.post(f"/vendors/{vendor}/ai-systems", data=system_texts, follow_redirects=False))

    page = client.get(f"/vendors/{vendor}").text
    shown_on_vendor_page = {
        **{f"contract {k}": v for k, v in contract_texts.items() if k != "description"},
        **{f"subcontractor {k}": v for k, v in sub_texts.items() if k != "recipient_identifier"},
        **{f"contact {k}": v for k, v in contact_texts.items()},
        **{f"AI system {k}": v for k, v in system_texts.items() if k != "human_oversight"},
    }
    assert_rendered_escaped(page, shown_on_vendor_page, "the vendor page")
    edit = client.get(f"/vendors/{vendor}/contracts/{contract.id}/edit").text
    shown_on_form = {k: v for k, v in sub_texts.items() if k != "recipient_identifier"}
    assert_rendered_escaped(edit, {**contract_texts, **shown_on_form}, "the arrangement form")
    with Session(engine) as session:
        from app.models import AISystem, VendorContact

        system = session.exec(select(AISystem).where(AISystem.vendor_id == vendor)).one()
        contact = session.exec(
            select(VendorContact).where(VendorContact.name == contact_texts["name"])
        ).one()
    assert_rendered_escaped(
        client.get(f"/vendors/{vendor}/ai-systems/{system.id}/edit").text,
        system_texts,
        "the AI system form",
    )
    assert_rendered_escaped(
        client.get(f"/vendors/{vendor}/contacts/{contact.id}/edit").text,
        contact_texts,
        "the contact form",
    )
    portal = signed_in(site.vendor_admin)
    assert_rendered_escaped(
        portal.get(f"/portal/vendors/{vendor}/profile").text,
        {
            "contract alternatives": contract_texts["alternatives"],
            "subcontractor": sub_texts["what"],
        },
        "the vendor's register profile",
    )


def test_business_function_fields_are_escaped(signed_in, site, engine):
    client = signed_in(site.procurement)
    texts = payloads("name", "criticality_reasons")
    posted(
        client.post(
            "/vendors/functions",
            data={"code": "F7", "critical": "yes", **texts},
            follow_redirects=False,
        )
    )
    with Session(engine) as session:
        function = session.exec(select(BusinessFunction)).one()
    assert_rendered_escaped(
        client.get("/vendors/functions").text, {"name": texts["name"]}, "the functions page"
    )
    assert_rendered_escaped(
        client.get(f"/vendors/functions/{function.id}/edit").text, texts, "the function form"
    )


def test_register_findings_and_treatment_are_escaped(signed_in, site, engine):
    client = signed_in(site.analyst)
    finding = payloads("title", "description", "control_ids")
    posted(
        client.post(
            "/register/findings",
            data={
                "vendor_id": str(site.vendor.id),
                "severity": "high",
                "framework": "iso42001",
                **finding,
            },
            follow_redirects=False,
        )
    )
    with Session(engine) as session:
        row = session.exec(select(Finding)).one()
    treatment = payloads("finding treatment")
    posted(
        client.post(
            f"/register/findings/{row.id}",
            data={"status": "open", "treatment": treatment["finding treatment"]},
            follow_redirects=False,
        )
    )
    justification = payloads("justification")
    posted(
        client.post(
            f"/register/vendors/{site.vendor.id}/treatment",
            data={"treatment": "mitigate", **justification},
            follow_redirects=False,
        )
    )

    findings = client.get("/register/findings").text
    assert_rendered_escaped(findings, {"title": finding["title"]}, "the findings page")
    assert_rendered_escaped(
        client.get(f"/register/findings/{row.id}/edit").text,
        {"title": finding["title"], **treatment},
        "the finding form",
    )
    assert_rendered_escaped(
        client.get(f"/register/vendors/{site.vendor.id}").text,
        {"title": finding["title"], **justification},
        "the vendor's register page",
    )
    assert_rendered_escaped(
        client.get(f"/register/vendors/{site.vendor.id}/edit").text,
        justification,
        "the treatment form",
    )
    assert_rendered_escaped(
        client.get(f"/vendors/{site.vendor.id}").text, {"title": finding["title"]}, "vendor page"
    )


def test_answers_comments_and_review_notes_are_escaped_on_both_sides(signed_in, site, engine):
    base = f"/portal/assessments/{site.assessment.id}"
    vendor = signed_in(site.contact)
    answer = payloads("answer", "answer comment")
    posted(
        vendor.post(
            f"{base}/answers/gov.notes",
            data={"value": answer["answer"], "comment": answer["answer comment"], "version": "0"},
            follow_redirects=False,
        )
    )
    vendor_message = payloads("vendor message")
    posted(
        vendor.post(
            f"{base}/questions/gov.notes/comments",
            data={"body": vendor_message["vendor message"]},
            follow_redirects=False,
        )
    )
    set_status(engine, site.assessment.id, AssessmentStatus.under_review)
    buyer = signed_in(site.analyst)
    page_url = f"/assessments/{site.assessment.id}"
    notes = payloads("internal note", "message to vendor", "review reason", "clarification")
    posted(
        buyer.post(
            f"{page_url}/answers/gov.notes/comments",
            data={"body": notes["internal note"], "visibility": "internal"},
            follow_redirects=False,
        )
    )
    posted(
        buyer.post(
            f"{page_url}/answers/gov.notes/comments",
            data={"body": notes["message to vendor"], "visibility": "vendor"},
            follow_redirects=False,
        )
    )
    posted(
        buyer.post(
            f"{page_url}/answers/gov.notes/review",
            data={"decision": "clarification", "reason": notes["review reason"]},
            follow_redirects=False,
        )
    )
    posted(
        buyer.post(
            f"{page_url}/review/request_clarification",
            data={"reason": notes["clarification"]},
            follow_redirects=False,
        )
    )

    buyer_page = buyer.get(page_url).text
    assert_rendered_escaped(buyer_page, {**answer, **vendor_message, **notes}, "the review page")
    vendor_page = vendor.get(base).text
    shown_to_vendor = {k: notes[k] for k in ("message to vendor", "review reason")}
    assert_rendered_escaped(vendor_page, {**answer, **vendor_message}, "the portal")
    assert_rendered_escaped(vendor_page, shown_to_vendor, "the portal")
    with Session(engine) as session:
        email = session.exec(select(OutboxEmail).where(OutboxEmail.kind == "clarification")).first()
    assert email is not None, "no clarification email"
    assert_rendered_escaped(email.html_body, {"clarification": notes["clarification"]}, "email")
    assert notes["internal note"] not in vendor_page and escaped(notes["internal note"]) not in (
        vendor_page
    )
    auditor = signed_in(site.auditor)
    assert_rendered_escaped(
        auditor.get("/audit").text, {"answer": answer["answer"]}, "the audit trail"
    )


def test_a_campaign_name_and_message_are_escaped_on_pages_and_in_the_email(signed_in, site, engine):
    client = signed_in(site.procurement)
    texts = payloads("name", "message")
    response = client.post(
        "/assessments/new",
        data={
            "questionnaire_id": str(site.questionnaire.id),
            "due_date": "2099-01-31",
            "vendor_ids": [str(site.vendor.id)],
            "new_contacts_vendor": [str(site.vendor.id)],
            "new_contacts": ["new.person@vendor.example"],
            **texts,
        },
        follow_redirects=False,
    )
    posted(response)
    assessment_url = response.headers["location"]
    with Session(engine) as session:
        campaign = session.exec(select(Campaign)).one()
        emails = session.exec(select(OutboxEmail).where(OutboxEmail.kind == "questionnaire")).all()
    assert_rendered_escaped(client.get(assessment_url).text, {"message": texts["message"]}, "it")
    assert_rendered_escaped(
        client.get(f"/assessments?campaign_id={campaign.id}").text,
        {"name": texts["name"]},
        "the campaign list",
    )
    assert emails, "the send queued no email"
    for email in emails:
        assert_rendered_escaped(email.html_body, {"message": texts["message"]}, "the email")
    portal = signed_in(site.contact)
    assessment_id = assessment_url.rsplit("/", 1)[1]
    assert_rendered_escaped(
        portal.get(f"/portal/assessments/{assessment_id}").text,
        {"message": texts["message"]},
        "the portal",
    )


def test_invitation_names_token_names_and_evidence_titles_are_escaped(signed_in, site, engine):
    buyer = signed_in(site.procurement)
    invited = payloads("invited name")
    posted(
        buyer.post(
            "/vendor-invitations",
            data={
                "vendor_id": str(site.vendor.id),
                "email": "invitee@vendor.example",
                "name": invited["invited name"],
                "role": "vendor_contact",
            },
            follow_redirects=False,
        )
    )
    assert "<script>xss-invited" not in buyer.get("/vendor-invitations").text
    with Session(engine) as session:
        email = session.exec(select(OutboxEmail)).one()
    assert_rendered_escaped(email.html_body, invited, "the invitation email")

    admin = signed_in(site.vendor_admin)
    colleague = payloads("colleague name")
    posted(
        admin.post(
            "/vendor-team/invite",
            data={
                "vendor_id": str(site.vendor.id),
                "email": "colleague@vendor.example",
                "name": colleague["colleague name"],
            },
            follow_redirects=False,
        )
    )
    assert_rendered_escaped(admin.get("/vendor-team").text, colleague, "the team page")

    token = payloads("token")
    page = admin.post("/account/tokens", data={"name": token["token"]})
    assert page.status_code == 200
    assert_rendered_escaped(admin.get("/account").text, token, "the account page")

    title = payloads("evidence title")
    response = admin.post(
        f"/vendors/{site.vendor.id}/evidence",
        content=multipart(
            [("title", title["evidence title"]), ("file", ("policy.pdf", pdf_bytes()))]
        ),
        headers={"Content-Type": CONTENT_TYPE},
        follow_redirects=False,
    )
    posted(response)
    assert_rendered_escaped(
        admin.get(f"/vendors/{site.vendor.id}/evidence").text, title, "the evidence library"
    )
    assert_rendered_escaped(
        buyer.get(f"/vendors/{site.vendor.id}/evidence").text, title, "the buyer's library view"
    )


def test_a_vendor_profile_proposal_is_escaped_in_the_buyers_diff(signed_in, site, engine):
    with Session(engine) as session:
        session.add(Contract(organisation_id=site.org.id, vendor_id=site.vendor.id, reference="C1"))
        vendor = session.get(Vendor, site.vendor.id)
        identifier = vendor.identifier
        session.commit()
        contract = session.exec(select(Contract)).one()
    texts = payloads("legal name", "parent name", "alternatives", "subcontractor", "ai system")
    prefix = f"svc-{contract.id}-"
    portal = signed_in(site.vendor_admin)
    posted(
        portal.post(
            f"/portal/vendors/{site.vendor.id}/profile",
            data={
                "legal_name": texts["legal name"],
                "identifier": identifier,
                "parent_name": texts["parent name"],
                "hq_country": "DE",
                "substitutability": "medium",
                f"{prefix}alternatives": texts["alternatives"],
                f"{prefix}sub-0-rank": "2",
                f"{prefix}sub-0-name": "Host",
                f"{prefix}sub-0-identifier": LEI,
                f"{prefix}sub-0-what": texts["subcontractor"],
                f"{prefix}ai-0-name": texts["ai system"],
            },
            follow_redirects=False,
        )
    )
    buyer = signed_in(site.procurement)
    assert_rendered_escaped(
        buyer.get(f"/vendors/{site.vendor.id}/profile-changes").text, texts, "the buyer's diff"
    )
    assert_rendered_escaped(
        portal.get(f"/portal/vendors/{site.vendor.id}/profile").text, texts, "the vendor's form"
    )


QUESTIONNAIRE_YAML = """key: hostile-texts
version: 1
title: {title}
description: {description}
sections:
  - key: s1
    title: {section}
    questions:
      - key: q1
        text: {question}
        help: {help}
        type: single_choice
        options:
          - {{value: a, label: {option}}}
          - {{value: b, label: Other}}
"""


def test_an_uploaded_questionnaire_is_escaped_in_the_library_and_the_portal(
    signed_in, site, engine
):
    texts = payloads("title", "description", "section", "question", "help", "option")
    yaml_text = QUESTIONNAIRE_YAML.format(**{k: json.dumps(v) for k, v in texts.items()})
    client = signed_in(site.procurement)
    response = client.post(
        "/questionnaires/upload",
        files={"file": ("hostile.yaml", yaml_text.encode(), "application/yaml")},
        follow_redirects=False,
    )
    posted(response)
    with Session(engine) as session:
        row = session.exec(select(Questionnaire).where(Questionnaire.key == "hostile-texts")).one()
    assert_rendered_escaped(
        client.get(f"/questionnaires/{row.id}").text,
        {k: v for k, v in texts.items() if k not in ("description", "help", "option")},
        "the questionnaire page",
    )
    assert_rendered_escaped(
        client.get("/questionnaires").text, {"title": texts["title"]}, "the library"
    )
    sent = client.post(
        "/assessments/new",
        data={
            "questionnaire_id": str(row.id),
            "due_date": "2099-01-31",
            "vendor_ids": [str(site.vendor.id)],
        },
        follow_redirects=False,
    )
    posted(sent)
    portal = signed_in(site.contact)
    assessment_id = sent.headers["location"].rsplit("/", 1)[1]
    assert_rendered_escaped(
        portal.get(f"/portal/assessments/{assessment_id}").text,
        {k: v for k, v in texts.items() if k not in ("description",)},
        "the portal",
    )


@pytest.mark.parametrize(
    ("who", "url", "reflected"),
    [
        ("procurement", "/vendors?q={p}", "search box"),
        ("analyst", "/register?q={p}", "register search"),
        ("analyst", "/register/findings?q={p}", "findings search"),
        ("auditor", "/audit?actor={p}&action={p}", "audit filters"),
        ("contact", "/portal/assessments/{assessment}/questions/{p}", "unknown question key"),
    ],
)
def test_reflected_query_values_are_escaped(signed_in, site, who, url, reflected):
    payload = script("-reflected")
    client = signed_in(getattr(site, who))
    response = client.get(
        url.format(p=payload, assessment=site.assessment.id), headers={"HX-Request": "true"}
    )
    assert response.status_code < 500
    assert "<script>xss-reflected" not in response.text
    full = client.get(url.format(p=payload, assessment=site.assessment.id))
    assert "<script>xss-reflected" not in full.text
    assert escaped(payload) in full.text or response.status_code == 404


def test_the_login_form_does_not_reflect_markup(client):
    from tests.helpers import csrf_from

    payload = script("-login")
    response = client.post(
        "/login",
        data={"email": payload, "password": "x" * 12, "csrf_token": csrf_from(client)},
    )
    assert "<script>xss-login" not in response.text


def test_a_website_must_be_a_web_address(signed_in, site, ledger):
    """`javascript:` in an href is script the moment someone clicks it."""
    client = signed_in(site.procurement)
    ledger.mark()
    for website in ("javascript:alert(document.cookie)", "data:text/html,<script>x</script>"):
        response = client.post(
            "/vendors",
            data=vendor_form({}, legal_name="Website GmbH", website=website),
            follow_redirects=False,
        )
        assert response.status_code == 422
        assert "http://" in response.text and "https://" in response.text
    api = client.post(
        "/api/v1/vendors",
        json={
            "legal_name": "Website GmbH",
            "identifier": LEI,
            "hq_country": "DE",
            "website": "JavaScript:alert(1)",
        },
    )
    assert api.status_code == 422
    ledger.assert_unchanged()
    response = client.post(
        "/vendors",
        data=vendor_form({}, legal_name="Website GmbH", website="https://website.example/"),
        follow_redirects=False,
    )
    posted(response)
    page = client.get(response.headers["location"]).text
    assert 'href="https://website.example/"' in page
