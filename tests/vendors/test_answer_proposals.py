"""What the vendor states in its answers reaches the buyer's register as a proposal to accept."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.assessments.lifecycle import Side
from app.assessments.service import apply_transition
from app.models import (
    AISystem,
    Answer,
    AuditEvent,
    Contract,
    ProfileChangeStatus,
    Provider,
    ProviderName,
    ProviderProfileChange,
    Subcontractor,
    Vendor,
)
from app.register.concentration import concentration
from app.vendors import profile_changes
from app.vendors.answer_proposals import proposal_from_answers
from app.vendors.identifiers import lei_with_check_digits
from tests.helpers import login
from tests.worlds import SentAssessment, make_sent_assessment

LEI = lei_with_check_digits("5299000VERIDIANSC0")
ANSWERS = {
    "dora.lei": f" {LEI.lower()} ",
    "scope.ai_systems": [
        {"name": "CreditLens", "purpose": "Scores applicants", "ai_act_class": "minimal",
         "model_provider": "OpenAI"},
    ],
    "supply.providers": [
        {"name": "Microsoft Azure", "provides": "cloud", "country": "IE"},
        {"name": "OpenAI", "provides": "foundation_model", "country": "US"},
        {"name": "Data Broker", "provides": "data", "country": "somewhere"},
    ],
    "supply.third_country": "yes",
}  # fmt: skip


def _base() -> dict:
    return {
        "vendor": {"identifier": "OLD", "cloud_providers": ["AWS"]},
        "services": [
            {"contract_id": 1, "processing_countries": ["DE"], "ai_systems": []},
            {"contract_id": 2, "processing_countries": [],
             "ai_systems": [{"name": "creditlens", "model_provider": "", "foundation_model": "x"}]},
        ],
    }  # fmt: skip


def test_the_answers_are_laid_over_the_register_facts():
    data = proposal_from_answers(_base(), ANSWERS, lei_register=True)
    assert data["vendor"] == {"identifier": LEI, "cloud_providers": ["AWS", "Microsoft Azure"]}
    first, second = data["services"]
    assert first["processing_countries"] == ["DE", "IE", "US"]  # "somewhere" is no country
    assert first["ai_systems"] == []  # CreditLens is already on the second arrangement
    assert second["ai_systems"] == [
        {"name": "creditlens", "model_provider": "OpenAI", "foundation_model": "x"}
    ]
    assert _base()["vendor"]["identifier"] == "OLD"  # the base is not changed in place


def test_a_malformed_lei_or_a_non_lei_register_identifier_is_left_alone():
    bad = proposal_from_answers(_base(), {"dora.lei": "NOT-AN-LEI"}, lei_register=True)
    assert bad["vendor"]["identifier"] == "OLD"
    other = proposal_from_answers(_base(), {"dora.lei": LEI}, lei_register=False)
    assert other["vendor"]["identifier"] == "OLD"


@pytest.fixture
def world(session: Session) -> SentAssessment:
    built = make_sent_assessment(session, vendor_name="Veridian Scoring Ltd", status="in_progress",
                                 cloud_providers=["AWS"])  # fmt: skip
    session.add(
        Contract(
            organisation_id=built.org.id,
            vendor_id=built.vendor.id,
            reference="VS-001",
            description="Credit scoring",
            processing_countries=["DE"],
        )
    )
    for key, value in ANSWERS.items():
        session.add(Answer(assessment_id=built.assessment.id, question_key=key, value=value))
    session.commit()
    return built


def test_submitted_answers_become_a_proposal_the_buyer_accepts_into_the_register(
    client, session, world
):
    apply_transition(session=session, assessment=world.assessment, name="submit",
                     actor=world.contact, side=Side.vendor)  # fmt: skip
    session.commit()
    change = session.exec(select(ProviderProfileChange)).one()
    assert change.status == ProfileChangeStatus.pending
    assert session.exec(select(AISystem)).first() is None  # nothing reaches the register yet

    login(client, world.admin.email)
    page = client.get(f"/vendors/{world.vendor.id}/profile-changes")
    assert "Cloud providers" in page.text and "AWS, Microsoft Azure" in page.text
    assert "CreditLens" in page.text and LEI in page.text
    accepted = client.post(
        f"/vendors/{world.vendor.id}/profile-changes/{change.id}/accept", follow_redirects=False
    )
    assert accepted.status_code == 303
    session.rollback()
    vendor = session.get(Vendor, world.vendor.id)
    assert vendor.identifier == LEI and vendor.cloud_providers == ["AWS", "Microsoft Azure"]
    system = session.exec(select(AISystem)).one()
    assert (system.name, system.model_provider) == ("CreditLens", "OpenAI")
    assert session.get(Provider, system.model_provider_id).name == "OpenAI"
    names = set(session.exec(select(Provider.name).where(Provider.organisation_id == world.org.id)))
    assert {"AWS", "Microsoft Azure", "OpenAI"} <= names
    assert session.exec(select(Contract)).one().processing_countries == ["DE", "IE", "US"]
    assert client.get(f"/register/vendors/{world.vendor.id}").status_code == 200


def test_answers_the_register_refuses_are_audited_and_the_submission_goes_on(session, world):
    """A vendor whose register row would not validate (here: hard to substitute without a
    reason) still submits; the refused proposal is recorded, nothing is proposed."""
    world.vendor.substitutability = "highly_complex"  # as rows written before the rule
    session.add(world.vendor)
    session.commit()
    apply_transition(session=session, assessment=world.assessment, name="submit",
                     actor=world.contact, side=Side.vendor)  # fmt: skip
    session.commit()
    assert world.assessment.status == "submitted"
    assert session.exec(select(ProviderProfileChange)).first() is None
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "vendor.profile_from_answers_refused")
    ).one()
    assert "Register of Information asks for it" in str(event.data["problems"])


def test_a_pending_portal_proposal_is_kept_and_the_answers_added(session, world):
    data = profile_changes.register_snapshot(session=session, vendor=world.vendor)
    data["vendor"]["parent_name"] = "Veridian Holdings plc"
    session.add(ProviderProfileChange(vendor_id=world.vendor.id, data=data,
                                      submitted_by_id=world.contact.id))  # fmt: skip
    session.commit()
    apply_transition(session=session, assessment=world.assessment, name="submit",
                     actor=world.contact, side=Side.vendor)  # fmt: skip
    change = session.exec(select(ProviderProfileChange)).one()
    assert change.data["vendor"]["parent_name"] == "Veridian Holdings plc"
    assert change.data["vendor"]["identifier"] == LEI


AZURE_LEI = lei_with_check_digits("549300MSIRELANDOPS")
OPENAI_LEI = lei_with_check_digits("549300OPENAIOPCO00")


def test_accepted_cloud_and_model_providers_resolve_to_provider_records_by_lei(
    client, session, world
):
    """The vendor names "Microsoft Azure"; the register knows the firm under its legal name and
    LEI, and the vendor's supply chain gives that LEI for "Microsoft Azure": accepting links the
    spelling to the record, so concentration counts the record, not a new name."""
    azure = Provider(organisation_id=world.org.id, name="Microsoft Ireland Operations Ltd",
                     lei=AZURE_LEI)  # fmt: skip
    session.add(azure)
    contract = session.exec(select(Contract)).one()
    for name, lei in (("Microsoft Azure", AZURE_LEI), ("OpenAI", OPENAI_LEI)):
        session.add(Subcontractor(contract_id=contract.id, name=name, identifier=lei,
                                  country="IE", what="ICT service"))  # fmt: skip
    session.commit()
    apply_transition(session=session, assessment=world.assessment, name="submit",
                     actor=world.contact, side=Side.vendor)  # fmt: skip
    session.commit()
    change = session.exec(select(ProviderProfileChange)).one()
    login(client, world.admin.email)
    accepted = client.post(
        f"/vendors/{world.vendor.id}/profile-changes/{change.id}/accept", follow_redirects=False
    )
    assert accepted.status_code == 303
    session.rollback()
    linked = session.exec(select(ProviderName).where(ProviderName.key == "microsoft azure")).one()
    assert linked.provider_id == azure.id  # by LEI, not a new "Microsoft Azure" record
    assert not session.exec(select(Provider).where(Provider.name == "Microsoft Azure")).first()
    openai = session.get(Provider, session.exec(select(AISystem)).one().model_provider_id)
    assert openai.name == "OpenAI" and openai.lei == OPENAI_LEI  # the supply chain's LEI
    taken = session.exec(select(AuditEvent).where(AuditEvent.action == "provider.lei_taken")).one()
    assert taken.actor_id == world.admin.id and taken.object_id == str(openai.id)
    assert taken.data["lei"] == OPENAI_LEI and taken.data["vendor_id"] == world.vendor.id
    groups = concentration(session=session, organisation_id=world.org.id, kind="cloud")
    assert "Microsoft Ireland Operations Ltd" in [g.name for g in groups]
    cloud = next(g for g in groups if g.name == "Microsoft Ireland Operations Ltd")
    assert cloud.provider is not None and cloud.provider.id == azure.id
    page = client.get("/register/concentration")
    assert page.status_code == 200 and "Microsoft Ireland Operations Ltd" in page.text
