"""Vendor register service: validation rules, tenant scoping, concurrency, audit, import."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from app.errors import Conflict, NotFound
from app.forms import FieldErrors, validate
from app.models import AuditEvent, Contract, Role, Vendor
from app.vendors import children, contracts, functions, importing, service
from app.vendors.identifiers import lei_with_check_digits
from app.vendors.schemas import (
    ContactInput,
    ContractInput,
    FunctionInput,
    SubcontractorInput,
    VendorCreate,
    VendorListQuery,
)
from tests.factories import make_org, make_user, make_vendor

LEI = lei_with_check_digits("5299009ACMEVENDOR1")


def vendor_data(**values) -> dict:
    return {"legal_name": "Acme Cloud GmbH", "identifier": LEI, "hq_country": "DE", **values}


def errors_of(schema, data) -> dict[str, str]:
    with pytest.raises(FieldErrors) as caught:
        validate(schema, data)
    return caught.value.errors


# --- validation rules ---------------------------------------------------------------------------


def test_valid_vendor_is_normalised():
    vendor = validate(
        VendorCreate,
        vendor_data(
            identifier=LEI.lower(), hq_country="de", currency="", cloud_providers="AWS; Azure"
        ),
    )
    assert vendor.identifier == LEI
    assert vendor.hq_country == "DE"
    assert vendor.currency == "EUR"
    assert vendor.cloud_providers == ["AWS", "Azure"]


def test_lei_check_digits_are_verified():
    wrong = LEI[:-2] + ("00" if LEI[-2:] != "00" else "01")
    assert "check digits" in errors_of(VendorCreate, vendor_data(identifier=wrong))["identifier"]


def test_non_lei_identifier_is_not_checked_as_lei():
    vendor = validate(VendorCreate, vendor_data(identifier_type="CRN", identifier="HRB 12345"))
    assert vendor.identifier == "HRB 12345"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hq_country", "XX", "ISO 3166"),
        ("currency", "EURO", "ISO 4217"),
        ("currency", "XYZ", "ISO 4217"),
        ("annual_expense", "-5", "at least 0"),
        ("annual_expense", "lots", "Enter a number"),
        ("last_audit_date", "31/12/2025", "YYYY-MM-DD"),
        ("status", "dormant", "Choose one of"),
        ("legal_name", "", "required"),
        ("legal_name", "x" * 301, "At most 300"),
        ("reintegration", "impossible", "not one of"),
    ],
)
def test_vendor_field_messages(field, value, message):
    assert message in errors_of(VendorCreate, vendor_data(**{field: value}))[field]


def test_identifier_pairs_need_their_type_and_a_valid_lei():
    errors = errors_of(
        VendorCreate,
        vendor_data(additional_identifier="DE123", parent_identifier_type="LEI"),
    )
    assert errors["additional_identifier_type"] == "Choose the type of this identifier."
    assert "leave its type empty" in errors["parent_identifier_type"]
    errors = errors_of(
        VendorCreate, vendor_data(parent_identifier="NOTANLEI", parent_identifier_type="LEI")
    )
    assert "20 characters" in errors["parent_identifier_type"]


def test_non_latin_legal_name_needs_latin_name():
    assert "Latin" in errors_of(VendorCreate, vendor_data(legal_name="Ακμή ΑΕ"))["latin_name"]
    assert validate(VendorCreate, vendor_data(legal_name="Ακμή ΑΕ", latin_name="Akmi AE"))


def contract_data(**values) -> dict:
    return {"reference": "C-1", **values}


def test_subsequent_arrangement_needs_overarching_reference():
    errors = errors_of(ContractInput, contract_data(arrangement_type="subsequent"))
    assert "overarching" in errors["overarching_reference"]
    ok = validate(
        ContractInput, contract_data(arrangement_type="subsequent", overarching_reference="MSA-1")
    )
    assert ok.overarching_reference == "MSA-1"
    errors = errors_of(ContractInput, contract_data(overarching_reference="MSA-1"))
    assert "Only a subsequent" in errors["overarching_reference"]


def test_contract_dates_notice_countries_and_service_type():
    errors = errors_of(
        ContractInput,
        contract_data(
            start_date="2025-06-01",
            end_date="2025-01-01",
            notice_days_entity="-1",
            governing_law_country="EU",
            ict_service_type="S20",
            stores_data=True,
            storage_countries="DE, QQ",
            currency="ABC",
        ),
    )
    assert errors["end_date"] == "The end date must be after the start date."
    assert errors["notice_days_entity"] == "Must be at least 0."
    assert "ISO 3166" in errors["governing_law_country"]
    assert "S01" in errors["ict_service_type"]
    assert "'QQ'" in errors["storage_countries"]
    assert "ISO 4217" in errors["currency"]


def test_a_terminated_arrangement_needs_its_end_date_and_the_bank_s_assessment_is_coded():
    errors = errors_of(
        ContractInput,
        contract_data(
            termination_reason="x4", alternatives_identified="maybe", substitutability="hard"
        ),
    )
    assert errors["termination_reason"] == (
        "An arrangement with a reason of termination needs its end date."
    )
    assert "alternatives_identified" in errors and "substitutability" in errors
    ok = validate(
        ContractInput,
        contract_data(
            end_date="2026-06-30", termination_reason="x4", substitutability="easy",
            substitutability_reason="x963",
        ),
    )  # fmt: skip
    assert (ok.alternatives_identified, ok.substitutability_reason) == ("not_assessed", None)


def test_subcontractor_deeper_than_rank_two_names_its_recipient():
    errors = errors_of(
        SubcontractorInput, {"rank": "3", "name": "Model Lab", "identifier": "X" * 20}
    )
    assert "one rank up" in errors["recipient_identifier"]


def test_stored_data_needs_storage_countries():
    errors = errors_of(ContractInput, contract_data(stores_data=True))
    assert "countries where it is stored" in errors["storage_countries"]
    ok = validate(ContractInput, contract_data(stores_data=True, storage_countries="de, fr"))
    assert ok.storage_countries == ["DE", "FR"]


def test_subcontractor_rank_and_identifier():
    errors = errors_of(SubcontractorInput, {"rank": "1", "name": "Sub", "identifier": "BAD"})
    assert errors["rank"] == "Must be at least 2."
    assert "20 characters" in errors["identifier"]


def test_function_code_pattern_and_contact_email():
    assert "code" in errors_of(FunctionInput, {"code": "X1", "name": "Payments"})
    assert validate(FunctionInput, {"code": "f7", "name": "Payments"}).code == "F7"
    assert "email" in errors_of(ContactInput, {"name": "A", "email": "not-an-email"})


# --- service --------------------------------------------------------------------------------------


@pytest.fixture
def buyer(session):
    org = make_org(session)
    user = make_user(session, org, Role.procurement)
    session.commit()
    return user


def test_create_vendor_writes_audit_event(session, buyer):
    vendor = service.create_vendor(
        session=session,
        actor=buyer,
        data=validate(VendorCreate, vendor_data(annual_expense="1200.50")),
    )
    session.commit()
    assert vendor.organisation_id == buyer.organisation_id
    assert vendor.annual_expense == Decimal("1200.50")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "vendor.created")).one()
    assert event.object_id == str(vendor.id)
    assert event.data["after"]["legal_name"] == "Acme Cloud GmbH"


def test_duplicate_identifier_is_refused(session, buyer):
    service.create_vendor(session=session, actor=buyer, data=validate(VendorCreate, vendor_data()))
    with pytest.raises(FieldErrors) as caught:
        service.create_vendor(
            session=session,
            actor=buyer,
            data=validate(VendorCreate, vendor_data(legal_name="Other")),
        )
    assert "already has this LEI" in caught.value.errors["identifier"]


def test_update_records_only_changed_fields_and_bumps_version(session, buyer):
    vendor = service.create_vendor(
        session=session, actor=buyer, data=validate(VendorCreate, vendor_data())
    )
    updated = service.update_vendor(
        session=session,
        actor=buyer,
        vendor_id=vendor.id,
        changes={"status": "active", "legal_name": "Acme Cloud GmbH"},
        version=1,
    )
    assert updated.version == 2 and updated.status == "active"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "vendor.updated")).one()
    assert event.data["before"] == {"status": "prospective"}
    assert event.data["after"] == {"status": "active"}


def test_stale_update_is_refused_and_nothing_is_written(session, buyer):
    vendor = service.create_vendor(
        session=session, actor=buyer, data=validate(VendorCreate, vendor_data())
    )
    service.update_vendor(
        session=session, actor=buyer, vendor_id=vendor.id, changes={"status": "active"}, version=1
    )
    session.commit()
    with pytest.raises(Conflict) as caught:
        service.update_vendor(
            session=session,
            actor=buyer,
            vendor_id=vendor.id,
            changes={"legal_name": "Overwritten"},
            version=1,
        )
    assert "Nothing was saved" in caught.value.message
    session.rollback()
    session.expire_all()
    fresh = session.get(Vendor, vendor.id)
    assert fresh.legal_name == "Acme Cloud GmbH" and fresh.version == 2


def test_invalid_update_reports_fields(session, buyer):
    vendor = service.create_vendor(
        session=session, actor=buyer, data=validate(VendorCreate, vendor_data())
    )
    with pytest.raises(FieldErrors) as caught:
        service.update_vendor(
            session=session,
            actor=buyer,
            vendor_id=vendor.id,
            changes={"hq_country": "ZZ"},
            version=1,
        )
    assert "hq_country" in caught.value.errors


def test_other_tenant_vendor_is_not_found(session, buyer):
    other_org = make_org(session, "Other Bank")
    theirs = make_vendor(session, other_org)
    with pytest.raises(NotFound):
        service.get_vendor(session=session, user=buyer, vendor_id=theirs.id)
    with pytest.raises(NotFound):
        service.update_vendor(
            session=session,
            actor=buyer,
            vendor_id=theirs.id,
            changes={"status": "active"},
            version=1,
        )


def test_list_filters_sort_and_pagination(session, buyer):
    org_id = buyer.organisation_id
    today = date(2026, 6, 1)
    org = type("O", (), {"id": org_id})()
    make_vendor(session, org, "Zeta AG", tier="low", status="active")
    make_vendor(
        session,
        org,
        "Alpha SE",
        tier="critical",
        supports_critical_function=True,
        next_review_date=today - timedelta(days=1),
    )
    make_vendor(session, org, "Mid GmbH", tier="medium", next_review_date=today + timedelta(days=9))
    make_vendor(session, make_org(session, "Elsewhere"), "Alpha Elsewhere")

    def names(**query):
        result = service.list_vendors(
            session=session, user=buyer, query=VendorListQuery(**query), today=today
        )
        return [row.vendor.legal_name for row in result.rows]

    assert names() == ["Alpha SE", "Mid GmbH", "Zeta AG"]
    assert names(sort="-name") == ["Zeta AG", "Mid GmbH", "Alpha SE"]
    assert names(sort="tier") == ["Alpha SE", "Mid GmbH", "Zeta AG"]
    assert names(sort="-tier") == ["Zeta AG", "Mid GmbH", "Alpha SE"]
    assert names(sort="next_review") == ["Alpha SE", "Mid GmbH", "Zeta AG"]
    assert names(q="alpha") == ["Alpha SE"]
    assert names(status="active") == ["Zeta AG"]
    assert names(tier="medium") == ["Mid GmbH"]
    assert names(critical=True) == ["Alpha SE"]
    assert names(overdue=True) == ["Alpha SE"]
    page2 = service.list_vendors(
        session=session, user=buyer, query=VendorListQuery(per_page=2, page=2), today=today
    )
    assert page2.total == 3 and page2.pages == 2
    assert [r.vendor.legal_name for r in page2.rows] == ["Zeta AG"]


def test_search_by_identifier_treats_wildcards_literally(session, buyer):
    org = type("O", (), {"id": buyer.organisation_id})()
    vendor = make_vendor(session, org, "Findable Ltd")
    found = service.list_vendors(
        session=session, user=buyer, query=VendorListQuery(q=vendor.identifier[4:14])
    )
    assert [r.vendor.id for r in found.rows] == [vendor.id]
    assert (
        service.list_vendors(session=session, user=buyer, query=VendorListQuery(q="%")).total == 0
    )


def test_contract_rules_that_need_the_database(session, buyer):
    vendor = service.create_vendor(
        session=session, actor=buyer, data=validate(VendorCreate, vendor_data())
    )
    contracts.save_contract(
        session=session,
        actor=buyer,
        vendor=vendor,
        data=validate(ContractInput, {"reference": "MSA-1"}),
    )
    with pytest.raises(FieldErrors) as caught:
        contracts.save_contract(
            session=session,
            actor=buyer,
            vendor=vendor,
            data=validate(
                ContractInput,
                {
                    "reference": "MSA-1",
                    "arrangement_type": "subsequent",
                    "overarching_reference": "NOPE",
                    "function_id": 999,
                },
            ),
        )
    errors = caught.value.errors
    assert "already has this reference" in errors["reference"]
    assert errors["overarching_reference"] == "No arrangement has this reference number."
    assert "business functions" in errors["function_id"]
    with pytest.raises(FieldErrors) as caught:
        contracts.save_contract(
            session=session,
            actor=buyer,
            vendor=vendor,
            data=validate(
                ContractInput,
                {
                    "reference": "SOW-1",
                    "arrangement_type": "subsequent",
                    "overarching_reference": "MSA-1",
                },
            ),
        )
    assert "not an overarching" in caught.value.errors["overarching_reference"]


def test_contract_with_function_and_subcontractor_chain(session, buyer):
    vendor = service.create_vendor(
        session=session, actor=buyer, data=validate(VendorCreate, vendor_data())
    )
    function = functions.save_function(
        session=session,
        actor=buyer,
        data=validate(FunctionInput, {"code": "F1", "name": "Payments"}),
    )
    contract = contracts.save_contract(
        session=session,
        actor=buyer,
        vendor=vendor,
        data=validate(
            ContractInput,
            {"reference": "C-9", "function_id": str(function.id), "ict_service_type": "S17"},
        ),
    )
    sub_lei = lei_with_check_digits("5299009SUBPROVIDE1")
    children.add_subcontractor(
        session=session,
        actor=buyer,
        vendor=vendor,
        contract_id=contract.id,
        data=validate(
            SubcontractorInput, {"name": "Hoster", "identifier": sub_lei, "country": "ie"}
        ),
    )
    profile = service.vendor_overview(session=session, user=buyer, vendor_id=vendor.id)
    (view,) = profile.contracts
    assert view.function.code == "F1"
    (link,) = view.subcontractors
    assert (link.rank, link.country, link.recipient_identifier, link.service_type) == (
        2,
        "IE",
        vendor.identifier,
        "S17",
    )
    service.update_vendor(
        session=session, actor=buyer, vendor_id=vendor.id, changes={"status": "active"}, version=1
    )
    contracts.delete_contract(session=session, actor=buyer, vendor=vendor, contract_id=contract.id)
    assert session.exec(select(Contract)).all() == []
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.sequence)).all()
    assert actions == [
        "vendor.created",
        "business_function.created",
        "contract.created",
        "subcontractor.created",
        "vendor.updated",
        "contract.deleted",
    ]


def test_only_one_primary_contact(session, buyer):
    vendor = service.create_vendor(
        session=session, actor=buyer, data=validate(VendorCreate, vendor_data())
    )
    first = children.save_contact(
        session=session,
        actor=buyer,
        vendor=vendor,
        data=validate(ContactInput, {"name": "A", "email": "a@x.example", "is_primary": True}),
    )
    children.save_contact(
        session=session,
        actor=buyer,
        vendor=vendor,
        data=validate(ContactInput, {"name": "B", "email": "b@x.example", "is_primary": True}),
    )
    session.refresh(first)
    assert first.is_primary is False
    with pytest.raises(FieldErrors):
        children.save_contact(
            session=session,
            actor=buyer,
            vendor=vendor,
            data=validate(ContactInput, {"name": "C", "email": "A@x.example"}),
        )


# --- import ---------------------------------------------------------------------------------------


def test_import_preview_new_update_unchanged_and_errors(session, buyer):
    existing = service.create_vendor(
        session=session, actor=buyer, data=validate(VendorCreate, vendor_data(status="active"))
    )
    second = lei_with_check_digits("5299009SECONDVEND1")
    rows = [
        (2, {"legal_name": "Acme Cloud GmbH", "identifier": LEI, "hq_country": "DE"}),
        (3, {"legal_name": "New One SA", "identifier": second, "hq_country": "FR"}),
        (4, {"identifier": LEI, "legal_name": "Dup", "hq_country": "DE"}),
        (5, {"legal_name": "Broken", "identifier": "BAD", "hq_country": "XX"}),
    ]
    preview = importing.preview_import(session=session, user=buyer, rows=rows)
    assert [r.action for r in preview.rows] == ["unchanged", "new", "error", "error"]
    assert preview.rows[0].vendor_id == existing.id
    assert preview.rows[2].errors == [("identifier", "The same identifier is already in row 2.")]
    assert {column for column, _ in preview.rows[3].errors} == {"identifier", "hq_country"}
    assert not preview.ok

    rows[0] = (2, {"identifier": LEI, "status": "offboarded"})
    preview = importing.preview_import(session=session, user=buyer, rows=rows[:2])
    assert [r.action for r in preview.rows] == ["update", "new"]
    assert preview.rows[0].changed == ["status"]


def test_import_is_all_or_nothing(session, buyer):
    second = lei_with_check_digits("5299009SECONDVEND1")
    rows = [
        (2, {"legal_name": "Good AG", "identifier": second, "hq_country": "DE"}),
        (3, {"legal_name": "Bad AG", "identifier": LEI, "hq_country": "DE", "currency": "XXX"}),
    ]
    with pytest.raises(FieldErrors) as caught:
        importing.apply_import(session=session, actor=buyer, rows=rows)
    assert caught.value.errors == {"row 3, currency": caught.value.errors["row 3, currency"]}
    session.rollback()
    assert session.exec(select(Vendor)).all() == []

    rows[1] = (3, {"legal_name": "Fixed AG", "identifier": LEI, "hq_country": "DE"})
    preview = importing.apply_import(session=session, actor=buyer, rows=rows)
    session.commit()
    assert (preview.count("new"), preview.count("update")) == (2, 0)
    assert sorted(v.legal_name for v in session.exec(select(Vendor))) == ["Fixed AG", "Good AG"]

    preview = importing.apply_import(
        session=session, actor=buyer, rows=[(2, {"identifier": second, "exit_plan": "yes"})]
    )
    assert preview.count("update") == 1
    vendor = session.exec(select(Vendor).where(Vendor.identifier == second)).one()
    assert vendor.exit_plan is True and vendor.version == 2 and vendor.legal_name == "Good AG"


def test_import_rejects_huge_cells(session, buyer):
    rows = [
        (2, {"legal_name": "A", "identifier": LEI, "hq_country": "DE", "description": "x" * 5000})
    ]
    preview = importing.preview_import(session=session, user=buyer, rows=rows)
    assert preview.rows[0].errors == [
        ("description", "The cell has 5,000 characters; at most 2,000.")
    ]
