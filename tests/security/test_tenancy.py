"""Another tenant's ids where a form, a query or an API body takes an id.

Path ids are walked for every route by tests/auth/test_route_permissions.py; this covers the ids
that travel inside requests. Each is refused (404 for what does not exist for the caller, 422 for
a choice outside the caller's own lists), reveals no name of the other tenant, stores nothing.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from app.auth.service import create_api_token
from app.models import Answer, BusinessFunction, Campaign, Contract, Finding, Vendor
from tests.evidence.samples import pdf_bytes
from tests.factories import SMALL_QUESTIONNAIRE

LEI = "529900T8BM49AURSDO55"
RIVAL_NAMES = ("Rival Bank", "Rival Supplier", "Rival secret")


def assert_no_leak(response) -> None:
    for name in RIVAL_NAMES:
        assert name not in response.text, f"{name!r} leaked"


@pytest.fixture
def rival_ids(session, site, rival, settings):
    """Things of the other organisation and its vendor that our users could try to name."""
    from app.evidence.service import store_evidence
    from app.evidence.storage import store_for
    from app.questionnaires.loader import validate_definition
    from app.questionnaires.service import publish

    function = BusinessFunction(organisation_id=rival.org.id, code="F9", name="Rival secret")
    contract = Contract(
        organisation_id=rival.org.id, vendor_id=rival.vendor.id, reference="Rival secret"
    )
    finding = Finding(
        organisation_id=rival.org.id,
        vendor_id=rival.vendor.id,
        key="manual:rival",
        source="manual",
        title="Rival secret finding",
    )
    campaign = Campaign(
        organisation_id=rival.org.id,
        name="Rival secret campaign",
        questionnaire_id=site.questionnaire.id,
        due_date=rival.assessment.created_at.date(),
    )
    session.add_all([function, contract, finding, campaign])
    session.flush()
    questionnaire, _ = publish(
        session=session,
        definition=validate_definition(
            {**SMALL_QUESTIONNAIRE, "key": "rival-own", "title": "Rival secret questionnaire"}
        ),
        organisation_id=rival.org.id,
        source="upload",
    )
    evidence = store_evidence(
        session=session,
        store=store_for(settings),
        actor=None,
        vendor_id=rival.vendor.id,
        filename="rival.pdf",
        chunks=[pdf_bytes("Rival secret")],
        limit=10_000_000,
    )
    session.commit()
    return {
        "function": function.id,
        "contract": contract.id,
        "finding": finding.id,
        "campaign": campaign.id,
        "questionnaire": questionnaire.id,
        "evidence": evidence.id,
        "vendor": rival.vendor.id,
        "contact": rival.contact.id,
        "buyer": rival.procurement.id,
        "assessment": rival.assessment.id,
    }


CASES = [
    # (who, method, url, form or json, statuses, what must not happen)
    (
        "procurement",
        "POST",
        "/assessments/new",
        {"questionnaire_id": "{own_q}", "due_date": "2099-01-31", "vendor_ids": ["{vendor}"]},
        {404},
    ),
    (
        "procurement",
        "POST",
        "/assessments/new",
        {
            "questionnaire_id": "{questionnaire}",
            "due_date": "2099-01-31",
            "vendor_ids": ["{own_vendor}"],
        },
        {404},
    ),
    (
        "procurement",
        "POST",
        "/api/v1/assessments",
        {
            "json": {
                "vendor_ids": ["{vendor}"],
                "questionnaire_id": "{own_q}",
                "due_date": "2099-01-31",
            }
        },
        {404},
    ),
    (
        "procurement",
        "POST",
        "/vendor-invitations",
        {"vendor_id": "{vendor}", "email": "spy@x.example"},
        {404},
    ),
    (
        "vendor_admin",
        "POST",
        "/vendor-team/invite",
        {"vendor_id": "{vendor}", "email": "spy@x.example"},
        {404},
    ),
    (
        "analyst",
        "POST",
        "/register/findings",
        {"vendor_id": "{vendor}", "title": "t", "severity": "low"},
        {404},
    ),
    ("analyst", "POST", "/register/vendors/{own_vendor}/treatment", {"owner_id": "{buyer}"}, {422}),
    (
        "analyst",
        "POST",
        "/register/findings/{own_finding}",
        {"status": "open", "owner_id": "{buyer}"},
        {422},
    ),
    (
        "procurement",
        "POST",
        "/vendors/{own_vendor}/contracts",
        {"reference": "C-1", "function_id": "{function}"},
        {404, 422},
    ),
    (
        "procurement",
        "POST",
        "/vendors/{own_vendor}/ai-systems",
        {"name": "S", "contract_id": "{contract}"},
        {404, 422},
    ),
    (
        "contact",
        "POST",
        "/portal/assessments/{own_assessment}/questions/gov.policy/evidence",
        {"evidence_id": "{evidence}"},
        {404},
    ),
    (
        "vendor_admin",
        "POST",
        "/portal/assessments/{own_assessment}/assignments",
        {"section_key": "governance", "user_id": "{contact}"},
        {404},
    ),
    (
        "vendor_admin",
        "POST",
        "/portal/assessments/{own_assessment}/assignments",
        {"section_key": "governance", "user_id": "{buyer}"},
        {404},
    ),
    ("procurement", "PATCH", "/api/v1/vendors/{vendor}", {"json": {"version": 1}}, {404}),
    (
        "analyst",
        "POST",
        "/api/v1/assessments/{assessment}/transitions",
        {"json": {"action": "begin_review"}},
        {404},
    ),
]


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _own_ids(session, site, rival_ids) -> dict:
    finding = Finding(
        organisation_id=site.org.id,
        vendor_id=site.vendor.id,
        key="manual:own",
        source="manual",
        title="Own finding",
    )
    session.add(finding)
    session.commit()
    return {
        **{k: str(v) for k, v in rival_ids.items()},
        "own_vendor": str(site.vendor.id),
        "own_q": str(site.questionnaire.id),
        "own_finding": str(finding.id),
        "own_assessment": str(site.assessment.id),
    }


@pytest.mark.parametrize(
    ("who", "method", "url", "body", "statuses"),
    CASES,
    ids=[f"{c[1]} {c[2]} {sorted(c[3])[0]}" for c in CASES],
)
def test_another_tenants_id_in_a_request_is_refused(
    who, method, url, body, statuses, rival_ids, signed_in, site, session, ledger
):
    ids = _own_ids(session, site, rival_ids)
    client = signed_in(getattr(site, who))
    body = _fill(body, ids)
    ledger.mark()
    if "json" in body:
        response = client.request(method, _fill(url, ids), json=_fill(body["json"], ids))
    else:
        response = client.request(method, _fill(url, ids), data=body)
    assert response.status_code in statuses, (response.status_code, response.text[-800:])
    assert_no_leak(response)
    ledger.assert_unchanged()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("procurement", "/assessments?vendor_id={vendor}"),
        ("procurement", "/assessments?campaign_id={campaign}"),
        ("procurement", "/api/v1/assessments?vendor_id={vendor}"),
        ("procurement", "/api/v1/assessments?campaign_id={campaign}"),
        ("analyst", "/register/findings?vendor_id={vendor}"),
        ("analyst", "/register?q=Rival"),
        ("procurement", "/vendors?q=Rival"),
        ("procurement", "/api/v1/vendors?q=Rival"),
        ("procurement", "/questionnaires/diff?a={own_q}&b={questionnaire}"),
        ("auditor", "/audit?object_id={vendor}&object_type=vendor"),
        ("contact", "/portal"),
        ("contact", "/evidence"),
    ],
)
def test_filters_naming_another_tenant_show_nothing_of_it(
    who, url, rival_ids, signed_in, site, session
):
    ids = _own_ids(session, site, rival_ids)
    client = signed_in(getattr(site, who))
    response = client.get(_fill(url, ids))
    assert response.status_code in (200, 404)
    assert_no_leak(response)
    if "/api/" in url:
        assert response.json()["items"] == []


def test_an_api_import_never_touches_another_tenants_vendor(signed_in, site, rival, engine, ledger):
    """The same identifier as the rival's vendor creates our own row; theirs is untouched."""
    with Session(engine) as session:
        theirs = session.get(Vendor, rival.vendor.id)
        before = (theirs.legal_name, theirs.version)
    client = signed_in(site.procurement)
    response = client.post(
        "/api/v1/vendors/import",
        json=[
            {
                "legal_name": "Renamed by a stranger",
                "identifier": theirs.identifier,
                "identifier_type": theirs.identifier_type,
                "hq_country": "DE",
            }
        ],
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1
    with Session(engine) as session:
        theirs = session.get(Vendor, rival.vendor.id)
        assert (theirs.legal_name, theirs.version) == before
        ours = session.exec(
            select(Vendor).where(
                Vendor.organisation_id == site.org.id, Vendor.identifier == theirs.identifier
            )
        ).one()
        assert ours.legal_name == "Renamed by a stranger"


def test_a_token_of_one_tenant_reads_nothing_of_another(client, session, site, rival, rival_ids):
    _, secret = create_api_token(session=session, user=rival.procurement, name="rival")
    session.commit()
    api = {"Authorization": f"Bearer {secret}"}
    for url in (
        f"/api/v1/vendors/{site.vendor.id}",
        f"/api/v1/assessments/{site.assessment.id}",
        f"/api/v1/assessments/{site.assessment.id}/answers",
        f"/api/v1/assessments/{site.assessment.id}/comments",
    ):
        response = client.get(url, headers=api)
        assert response.status_code == 404, url
        assert "Cobalt" not in response.text and "Harbour" not in response.text
    listing = client.get("/api/v1/vendors", headers=api).json()
    assert [v["id"] for v in listing["items"]] == [rival.vendor.id]


def test_a_forged_import_change_for_another_assessment_changes_nothing(
    signed_in, site, rival, engine, ledger
):
    """The apply step takes question keys and versions from hidden fields: a forged change can
    only ever touch the assessment in the URL, through the same checks as the page."""
    client = signed_in(site.contact)
    ledger.mark()
    forged = json.dumps(
        {"key": "gov.notes", "value": "x", "version": 0, "assessment_id": rival.assessment.id}
    )
    response = client.post(
        f"/portal/assessments/{rival.assessment.id}/import/apply", data={"change": forged}
    )
    assert response.status_code == 404
    ledger.assert_unchanged()
    with Session(engine) as session:
        assert session.exec(select(Answer)).all() == []
