"""The buyer's own AI Act classification, Annex III use, role and impact assessment per AI system."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import AISystem, Provider, ProviderName
from tests.helpers import login
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor


@pytest.fixture
def world(session: Session) -> BuyerWithVendor:
    built = make_buyer_with_vendor(session, vendor_name="Veridian Scoring Ltd", status="active")
    session.commit()
    return built


def test_the_buyer_records_its_classification_use_role_and_impact_assessment(
    client, session, world
):
    login(client, world.procurement.email)
    response = client.post(
        f"/vendors/{world.vendor.id}/ai-systems",
        data={
            "name": "CreditLens",
            "ai_act_class": "minimal",
            "model_provider": "  OpenAI ",
            "buyer_risk_class": "high",
            "annex_iii_use": "5b",
            "buyer_role": "deployer",
            "fria_date": "2026-11-30",
            "fria_outcome": "Residual risks accepted with extra human review of declines.",
            "fria_link": "https://intranet.example/fria/creditlens",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    system = session.exec(select(AISystem).where(AISystem.name == "CreditLens")).one()
    assert (system.ai_act_class, system.buyer_risk_class, system.annex_iii_use) == (
        "minimal",
        "high",
        "5b",
    )
    assert system.buyer_role == "deployer" and str(system.fria_date) == "2026-11-30"
    provider = session.get(Provider, system.model_provider_id)
    assert provider is not None and provider.name == "OpenAI"
    page = client.get(f"/vendors/{world.vendor.id}").text
    assert "Creditworthiness or credit scoring of natural persons" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"buyer_risk_class": "high", "annex_iii_use": "5z"},
            "annex_iii_use",
            "not one of the Annex III uses",
        ),
        ({"buyer_risk_class": "severe"}, "buyer_risk_class", "not one of the AI Act risk classes"),
        ({"annex_iii_use": "5b"}, "annex_iii_use", "Record your own risk class as well"),
        ({"buyer_role": "owner"}, "buyer_role", "not one of the roles"),
        ({"fria_outcome": "Done"}, "fria_date", "Give the date the impact assessment"),
        ({"fria_date": "2026-01-01", "fria_link": "javascript:alert(1)"}, "fria_link", "https://"),
    ],
)
def test_a_classification_the_register_cannot_take_is_refused_and_nothing_is_saved(
    client, session, world, fields, field, message
):
    login(client, world.procurement.email)
    response = client.post(
        f"/vendors/{world.vendor.id}/ai-systems", data={"name": "CreditLens", **fields}
    )
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text and message in response.text
    assert session.exec(select(AISystem)).first() is None
    assert session.exec(select(ProviderName)).first() is None
