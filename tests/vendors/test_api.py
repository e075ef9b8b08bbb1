"""/api/v1/vendors: bearer tokens, tenant scoping, CRUD with optimistic locking, bulk import."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, Contract, Subcontractor, Vendor
from app.vendors.identifiers import lei_with_check_digits
from tests.helpers import bearer
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor

LEI_A = lei_with_check_digits("5299009APIVENDORA1")
LEI_B = lei_with_check_digits("5299009APIVENDORB1")


MANAGER = {"Authorization": "Bearer manager-token-0123456789"}  # the buyer's procurement
AUDITOR = {"Authorization": "Bearer auditor-token-0123456789"}
OTHER = {"Authorization": "Bearer other-token-0123456789"}  # the rival's admin


@pytest.fixture
def world(session: Session, rival: BuyerWithVendor) -> BuyerWithVendor:
    """A listed vendor with a contract and its subcontractor; API tokens for the buyer's
    procurement and auditor, and for the rival's admin."""
    built = make_buyer_with_vendor(session, vendor_name="Listed Vendor SE", status="active")
    session.add(
        Contract(
            organisation_id=built.org.id,
            vendor_id=built.vendor.id,
            reference="API-1",
            ict_service_type="S17",
        )
    )
    session.flush()
    contract = session.exec(select(Contract)).one()
    session.add(
        Subcontractor(contract_id=contract.id, name="Hoster", identifier=LEI_B, country="IE")
    )
    for user, headers in (
        (built.procurement, MANAGER),
        (built.auditor, AUDITOR),
        (rival.admin, OTHER),
    ):
        bearer(session, user, headers["Authorization"].removeprefix("Bearer "))
    session.commit()
    return built


def test_requires_a_valid_token(client):
    response = client.get("/api/v1/vendors", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_list_is_tenant_scoped_filtered_and_paginated(client, world):
    body = client.get("/api/v1/vendors", headers=AUDITOR).json()
    assert [v["legal_name"] for v in body["items"]] == ["Listed Vendor SE"]
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    assert client.get("/api/v1/vendors?status=prospective", headers=AUDITOR).json()["total"] == 0
    assert client.get("/api/v1/vendors?q=listed", headers=AUDITOR).json()["total"] == 1
    bad = client.get("/api/v1/vendors?sort=evil&per_page=0", headers=AUDITOR)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert any(e.startswith("sort:") for e in bad.json()["errors"])


def test_get_includes_contracts_chain_and_is_404_across_tenants(client, world, rival):
    body = client.get(f"/api/v1/vendors/{world.vendor.id}", headers=AUDITOR).json()
    assert body["legal_name"] == "Listed Vendor SE"
    (contract,) = body["contracts"]
    assert contract["reference"] == "API-1"
    assert contract["subcontractors"][0]["identifier"] == LEI_B
    response = client.get(f"/api/v1/vendors/{rival.vendor.id}", headers=AUDITOR)
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_create_then_patch_with_version(client, engine, world):
    created = client.post(
        "/api/v1/vendors",
        json={
            "legal_name": "API Vendor",
            "identifier": LEI_A,
            "hq_country": "fr",
            "annual_expense": "99.90",
        },
        headers=MANAGER,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["hq_country"] == "FR" and body["version"] == 1 and body["annual_expense"] == "99.90"
    assert created.headers["location"] == f"/api/v1/vendors/{body['id']}"

    patched = client.patch(
        f"/api/v1/vendors/{body['id']}",
        json={"version": 1, "status": "active"},
        headers=MANAGER,
    )
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["version"]) == ("active", 2)
    assert patched.json()["legal_name"] == "API Vendor"

    stale = client.patch(
        f"/api/v1/vendors/{body['id']}",
        json={"version": 1, "legal_name": "Lost"},
        headers=MANAGER,
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert "Nothing was saved" in stale.json()["detail"]
    with Session(engine) as session:
        assert session.get(Vendor, body["id"]).legal_name == "API Vendor"
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.object_id == str(body["id"]))
        ).all()
        assert actions == ["vendor.created", "vendor.updated"]


def test_validation_errors_list_field_and_message(client, world):
    response = client.post(
        "/api/v1/vendors",
        json={
            "legal_name": "X",
            "identifier": LEI_A[:-2] + "00",
            "hq_country": "XX",
            "colour": "red",
        },
        headers=MANAGER,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e.startswith("hq_country: 'XX' is not an ISO 3166") for e in errors)
    assert any(e.startswith("identifier: The LEI's check digits") for e in errors)
    assert any(e.startswith("colour:") for e in errors)

    patch = client.patch(
        f"/api/v1/vendors/{world.vendor.id}",
        json={"version": 1, "currency": "EURO"},
        headers=MANAGER,
    )
    assert patch.status_code == 422
    assert any(e.startswith("currency:") for e in patch.json()["errors"])


def test_auditor_cannot_write_and_other_tenant_cannot_patch(client, world):
    response = client.post(
        "/api/v1/vendors",
        json={"legal_name": "X", "identifier": LEI_A, "hq_country": "DE"},
        headers=AUDITOR,
    )
    assert response.status_code == 403
    assert response.json()["title"] == "Not allowed"
    foreign = client.patch(
        f"/api/v1/vendors/{world.vendor.id}",
        json={"version": 1, "status": "offboarded"},
        headers=OTHER,
    )
    assert foreign.status_code == 404


def test_bulk_import_all_or_nothing(client, engine, world):
    vendor = world.vendor
    bad = client.post(
        "/api/v1/vendors/import",
        json=[
            {"legal_name": "Bulk A", "identifier": LEI_A, "hq_country": "DE"},
            {"legal_name": "Bulk B", "identifier": "BROKEN", "hq_country": "DE"},
        ],
        headers=MANAGER,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        "row 2, identifier: An LEI is 18 letters or digits followed by 2 check digits (20 characters)."
    ]
    with Session(engine) as session:
        assert session.exec(select(Vendor).where(Vendor.legal_name == "Bulk A")).first() is None

    good = client.post(
        "/api/v1/vendors/import",
        json=[
            {"legal_name": "Bulk A", "identifier": LEI_A, "hq_country": "DE"},
            {"identifier": vendor.identifier, "exit_plan": True},
            {"identifier": vendor.identifier.lower(), "identifier_type": "LEI"},
        ],
        headers=MANAGER,
    )
    assert good.status_code == 422  # the same vendor twice is refused too
    assert "already in row 2" in good.json()["errors"][0]

    good = client.post(
        "/api/v1/vendors/import",
        json=[
            {"legal_name": "Bulk A", "identifier": LEI_A, "hq_country": "DE"},
            {"identifier": vendor.identifier, "exit_plan": True},
        ],
        headers=MANAGER,
    )
    assert good.status_code == 200, good.text
    body = good.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 0)
    assert body["rows"][1]["changed"] == ["exit_plan"]


def test_openapi_documents_the_vendor_api(client):
    schema = client.app.openapi()  # served copy needs a sign-in (tests/api/test_docs.py)
    operation = schema["paths"]["/api/v1/vendors/{vendor_id}"]["patch"]
    assert operation["summary"] == "Update a vendor"
    assert "409" in operation["responses"] and "422" in operation["responses"]
    assert "VendorRead" in str(operation["responses"]["200"])
    assert "/vendors/{vendor_id}/edit" not in schema["paths"]
