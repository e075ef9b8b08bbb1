"""The migration turns free-text model and cloud provider names into provider records."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.migrations import alembic_config


def test_existing_provider_names_become_records_and_ai_systems_point_at_them(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "0005")
        conn.execute(
            text(
                "INSERT INTO organisation (id, name, slug, regime, sso_domains, default_role,"
                " settings, created_at) VALUES (1, 'Bank', 'bank', 'dora', '[]', 'auditor', '{}',"
                " CURRENT_TIMESTAMP)"
            )
        )
        for vid, clouds in ((1, '["Microsoft Azure", "AWS"]'), (2, '["microsoft  azure"]')):
            conn.execute(
                text(
                    "INSERT INTO vendor (id, organisation_id, legal_name, identifier, identifier_type,"
                    " person_type, hq_country, status, currency, supports_critical_function,"
                    " data_sensitivity, substitutability, ai_role, cloud_providers, exit_plan,"
                    " auto_resend, version, created_at, updated_at) VALUES (:id, 1, :name, :ident,"
                    " 'LEI', 'legal', 'DE', 'active', 'EUR', false, 'low', 'medium', 'none',"
                    " :clouds, false, false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": vid, "name": f"Vendor {vid}", "ident": f"ID{vid}", "clouds": clouds},
            )
        for sid, provider in ((1, "OpenAI"), (2, "In-house"), (3, "openai")):
            conn.execute(
                text(
                    "INSERT INTO aisystem (id, vendor_id, name, purpose, vendor_role, ai_act_class,"
                    " affects_natural_persons, model_provider, created_at) VALUES (:id, 1, :name,"
                    " '', 'provider', 'high', false, :provider, CURRENT_TIMESTAMP)"
                ),
                {"id": sid, "name": f"System {sid}", "provider": provider},
            )
        command.upgrade(alembic_config(connection=conn), "head")
        providers = dict(conn.execute(text("SELECT name, id FROM provider")).all())
        systems = dict(conn.execute(text("SELECT id, model_provider_id FROM aisystem")).all())
        keys = {k for (k,) in conn.execute(text("SELECT key FROM providername"))}
        classes = {c for (c,) in conn.execute(text("SELECT buyer_risk_class FROM aisystem"))}
    engine.dispose()
    assert sorted(providers) == ["AWS", "Microsoft Azure", "OpenAI"]
    assert keys == {"aws", "microsoft azure", "openai"}
    assert systems == {1: providers["OpenAI"], 2: None, 3: providers["OpenAI"]}
    assert classes == {None}
