"""Huge, odd and hostile values typed into forms, URLs and API bodies.

What SQLite stores and PostgreSQL refuses (NUL in text, integers past 32 bits, over-long text)
must be refused the same way on both, up front, with a clear message and nothing stored; the
Unicode people really use (accents, scripts, emoji, right-to-left text) must survive intact.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.models import Answer, ProviderProfileChange, Vendor
from tests.worlds import SentAssessment

LEI = "529900T8BM49AURSDO55"
HUGE = "9" * 30  # far past any 32- or 64-bit integer column
SUPERSCRIPT = "²"  # str.isdigit() says yes, int() says no


def _sends(site: SentAssessment, value: str):
    """(who, label, request) for a text value in each kind of entry point."""
    base = f"/portal/assessments/{site.assessment.id}"
    return [
        ("procurement", "vendor form", lambda c: c.post("/vendors", data={
            "legal_name": value, "identifier_type": "CRN", "identifier": "X1", "hq_country": "DE",
        })),
        ("procurement", "vendor API", lambda c: c.post("/api/v1/vendors", json={
            "legal_name": value, "identifier": LEI, "hq_country": "DE",
        })),
        ("procurement", "vendor search", lambda c: c.get("/vendors", params={"q": value})),
        ("auditor", "audit filter", lambda c: c.get("/audit", params={"actor": value})),
        ("contact", "answer comment", lambda c: c.post(f"{base}/answers/gov.notes", data={
            "value": "fine", "comment": value, "version": "0",
        })),
        ("contact", "vendor message", lambda c: c.post(
            f"{base}/questions/gov.notes/comments", data={"body": value}
        )),
        ("procurement", "token name", lambda c: c.post("/account/tokens", data={"name": value})),
        ("procurement", "invitation", lambda c: c.post("/vendor-invitations", data={
            "vendor_id": str(site.vendor.id), "email": "new@vendor.example", "name": value,
        })),
        ("analyst", "finding", lambda c: c.post("/register/findings", data={
            "vendor_id": str(site.vendor.id), "title": value, "severity": "low",
        })),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(9))
def test_nul_in_text_is_refused_everywhere_and_nothing_is_stored(index, signed_in, site, ledger):
    who, label, send = _sends(site, "Acme\x00 Labs")[index]
    client = signed_in(getattr(site, who))
    ledger.mark()
    response = send(client)
    assert response.status_code == 422, (label, response.status_code)
    assert "NUL character" in response.text, label
    ledger.assert_unchanged()


@pytest.mark.parametrize(
    ("who", "method", "url", "data"),
    [
        ("procurement", "GET", f"/vendors/{HUGE}", None),
        ("procurement", "GET", f"/api/v1/vendors/{HUGE}", None),
        ("contact", "GET", f"/portal/assessments/{HUGE}", None),
        ("auditor", "GET", f"/audit?before={HUGE}", None),
        ("procurement", "GET", f"/assessments?page={HUGE}", None),
        ("procurement", "GET", f"/api/v1/assessments?vendor_id={HUGE}", None),
        ("analyst", "GET", f"/register/findings?page={HUGE}", None),
        ("analyst", "POST", "/register/findings", {"vendor_id": HUGE, "title": "t", "severity": "low"}),
        ("analyst", "POST", "/register/vendors/{vendor}/treatment", {"owner_id": HUGE}),
        ("procurement", "POST", "/vendor-invitations", {"vendor_id": HUGE, "email": "a@b.example"}),
        ("contact", "POST", "/portal/assessments/{assessment}/questions/gov.policy/evidence",
         {"evidence_id": HUGE}),
        ("contact", "POST", "/portal/assessments/{assessment}/questions/gov.policy/evidence",
         {"evidence_id": SUPERSCRIPT}),
        ("contact", "POST", "/portal/assessments/{assessment}/answers/gov.notes",
         {"value": "x", "version": HUGE}),
        ("vendor_admin", "POST", "/portal/assessments/{assessment}/assignments",
         {"section_key": "governance", "user_id": HUGE}),
        ("procurement", "POST", "/assessments/new",
         {"questionnaire_id": HUGE, "due_date": "2099-01-01", "vendor_ids": ["{vendor}"]}),
        ("procurement", "POST", "/account/two-step/confirm", {"code": SUPERSCRIPT * 6}),
        ("procurement", "POST", "/account/two-step/confirm", {"code": "٣" * 6}),
    ],
)  # fmt: skip
def test_numbers_no_column_holds_are_a_clear_refusal(
    who, method, url, data, signed_in, site, ledger
):
    client = signed_in(getattr(site, who))
    if who == "procurement" and "two-step" in url:
        client.post("/account/two-step/start")
    url = url.format(vendor=site.vendor.id, assessment=site.assessment.id)
    if data:
        data = {k: (v.format(vendor=site.vendor.id) if isinstance(v, str) else
                    [x.format(vendor=site.vendor.id) for x in v]) for k, v in data.items()}  # fmt: skip
    ledger.mark()
    response = client.request(method, url, data=data, headers={"Accept": "text/html"})
    assert 400 <= response.status_code < 500, response.status_code
    assert "Traceback" not in response.text
    if "two-step" not in url:
        ledger.assert_unchanged()


def test_api_bodies_with_unstorable_values_are_422(signed_in, site, ledger):
    client = signed_in(site.procurement)
    ledger.mark()
    for body in (
        b'{"legal_name": "\\ud800 Labs", "identifier": "%s", "hq_country": "DE"}',
        b'{"legal_name": "Y", "cloud_providers": ["\\udfff"], "identifier": "%s", "hq_country": "DE"}',
        b'{"legal_name": "Y", "annual_expense": 1e30, "identifier": "%s", "hq_country": "DE"}',
        b'{"legal_name": "' + b"L" * 100_000 + b'", "identifier": "%s", "hq_country": "DE"}',
    ):
        response = client.post(
            "/api/v1/vendors",
            content=body.replace(b"%s", LEI.encode()),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422, body[:60]
        assert response.headers["content-type"] == "application/problem+json"
    response = client.post(
        "/api/v1/vendors/import",
        json=[
            {"legal_name": f"V{n}", "identifier": LEI, "hq_country": "DE"} for n in range(10_001)
        ],
    )
    assert response.status_code == 422
    ledger.assert_unchanged()


@pytest.mark.parametrize(
    ("who", "url", "data", "message"),
    [
        ("procurement", "/vendors", {"legal_name": "L" * 301, "identifier_type": "CRN",
         "identifier": "X1", "hq_country": "DE"}, "At most 300 characters"),
        ("contact", "/portal/assessments/{assessment}/answers/gov.notes",
         {"value": "a" * 20_001, "version": "0"}, "under 20,000 characters"),
        ("contact", "/portal/assessments/{assessment}/answers/gov.notes",
         {"value": "ok", "comment": "c" * 5001, "version": "0"}, "under 5,000 characters"),
        ("contact", "/portal/assessments/{assessment}/questions/gov.notes/comments",
         {"body": "m" * 5001}, "under 5,000 characters"),
        ("analyst", "/register/findings", {"vendor_id": "{vendor}", "title": "t" * 301,
         "severity": "low"}, "at most 300 characters"),
        ("analyst", "/register/vendors/{vendor}/treatment",
         {"treatment": "mitigate", "justification": "j" * 2001}, "under 2,000 characters"),
    ],
)  # fmt: skip
def test_over_long_text_is_refused_with_the_limit(who, url, data, message, signed_in, site, ledger):
    client = signed_in(getattr(site, who))
    url = url.format(vendor=site.vendor.id, assessment=site.assessment.id)
    data = {k: v.format(vendor=site.vendor.id) for k, v in data.items()}
    ledger.mark()
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert message in response.text
    ledger.assert_unchanged()


def test_an_over_long_register_fact_proposed_by_the_vendor_is_refused(
    signed_in, site, engine, ledger
):
    """Accepting it later would have failed on PostgreSQL (VARCHAR(300))."""
    with Session(engine) as session:
        identifier = session.get(Vendor, site.vendor.id).identifier
    client = signed_in(site.vendor_admin)
    ledger.mark()
    response = client.post(
        f"/portal/vendors/{site.vendor.id}/profile",
        data={
            "legal_name": "L" * 301,
            "identifier": identifier,
            "parent_name": "P" * 301,
            "hq_country": "DE",
            "substitutability": "medium",
        },
    )
    assert response.status_code == 422
    assert "Legal name: at most 300 characters" in response.text
    assert "Ultimate parent: at most 300 characters" in response.text
    ledger.assert_unchanged()
    with Session(engine) as session:
        assert session.exec(select(ProviderProfileChange)).first() is None


def test_a_group_row_with_a_superscript_index_is_not_a_crash(signed_in, site, ledger):
    client = signed_in(site.contact)
    ledger.mark()
    response = client.post(
        f"/portal/assessments/{site.assessment.id}/answers/gov.policy",
        data={f"row-{SUPERSCRIPT}-x": "1", "value": "3", "version": "0"},
    )
    assert response.status_code < 500


UNICODE = [
    "Müller & Söhne GmbH",
    "Ελληνική Εταιρεία ΑΕ",
    "株式会社テスト",
    "شركة الاختبار",
    "Zoë 👩‍💻 Labs",
    "Cafe\u0301 Rou\u0308ge",  # combining marks
    "ABC\u202eDEF",  # right-to-left override
]


@pytest.mark.parametrize("name", UNICODE)
def test_unicode_names_survive_the_round_trip(name, signed_in, site, engine):
    client = signed_in(site.procurement)
    latin = None if all(ord(c) < 0x370 or ord(c) > 0x1F000 for c in name) else "Test Company"
    data = {"legal_name": name, "identifier_type": "CRN", "identifier": "U1", "hq_country": "DE"}
    if latin:
        data["latin_name"] = latin
    response = client.post("/vendors", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[-1500:]
    with Session(engine) as session:
        vendor = session.exec(select(Vendor).where(Vendor.identifier == "U1")).one()
    assert vendor.legal_name == name
    page = client.get(f"/vendors/{vendor.id}").text
    assert name.replace("&", "&amp;") in page
    assert name.replace("&", "&amp;") in client.get("/vendors", params={"q": name[:4]}).text
    api = client.get(f"/api/v1/vendors/{vendor.id}").json()
    assert api["legal_name"] == name


def test_control_characters_do_not_break_the_exports(signed_in, site, engine):
    """Text with escape and bell characters is kept, and every export still opens: openpyxl
    refuses those characters in a cell, so exports must drop them, never fail."""
    contact = signed_in(site.contact)
    text = "Red\x1b[31m alert\x07 \x01done\x0b"
    response = contact.post(
        f"/portal/assessments/{site.assessment.id}/answers/gov.notes",
        data={"value": text, "comment": text, "version": "0"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with Session(engine) as session:
        answer = session.exec(select(Answer)).one()
    assert answer.value == text.strip()
    exported = contact.get(f"/portal/assessments/{site.assessment.id}/export.xlsx")
    assert exported.status_code == 200
    cells = [c.value for row in load_workbook(io.BytesIO(exported.content))["Answers"] for c in row]
    assert "Red[31m alert done" in cells
    auditor = signed_in(site.auditor)
    for url in ("/audit/export.xlsx", "/audit/export.csv"):
        assert auditor.get(url).status_code == 200, url
    analyst = signed_in(site.analyst)
    assert analyst.get("/register/export.xlsx").status_code == 200


def test_json_nested_thousands_deep_is_invalid_input(signed_in, site, ledger):
    """The conflict card's 'keep mine' and the import's changes travel as JSON in the form."""
    client, buyer = signed_in(site.contact), signed_in(site.procurement)
    deep = "[" * 100_000 + "]" * 100_000
    base = f"/portal/assessments/{site.assessment.id}"
    ledger.mark()
    kept = client.post(f"{base}/answers/gov.notes", data={"value_json": deep, "version": "0"})
    assert kept.status_code == 422 and "could not be read" in kept.text
    applied = client.post(f"{base}/import/apply", data={"change": deep})
    assert applied.status_code == 422 and "could not be read" in applied.text
    api = buyer.post(
        "/api/v1/vendors/import",
        content=deep.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert api.status_code in (400, 422)
    ledger.assert_unchanged()
