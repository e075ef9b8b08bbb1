"""Single sign-on set up by the organisation's admin in Settings, then used against the real
OIDC provider on loopback; the client secret is sealed at rest, also by the migration."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import select

from app.auth.secret_box import seal, unseal
from app.config import get_settings
from app.db import make_engine
from app.migrations import alembic_config
from app.models import Organisation, Role, User
from tests.auth.oidc_provider import CLIENT_ID, CLIENT_SECRET
from tests.auth.test_sso import provider_redirect
from tests.helpers import login
from tests.worlds import make_buyer


def _form(idp, **changes) -> dict:
    return {
        "oidc_issuer": idp.issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "sso_domains": "bank.example",
        "default_role": "auditor",
    } | changes


@pytest.fixture
def world(session):
    built = make_buyer(session, "Harbour Bank")
    session.commit()
    return built


def test_admin_sets_up_sso_and_a_colleague_signs_in_with_it(
    app, client, session, settings, idp, world
):
    login(client, world.admin.email)
    page = client.get("/settings/sso")
    assert page.status_code == 200 and "/login/sso/callback" in page.text
    assert client.post("/settings/sso", data=_form(idp), follow_redirects=False).status_code == 303

    session.refresh(world.org)
    stored = world.org.oidc_client_secret
    assert stored and CLIENT_SECRET not in stored  # sealed, not in clear
    assert unseal(stored, server_secret=settings.resolved_secret_key()) == CLIENT_SECRET
    assert world.org.sso_domains == ["bank.example"]
    shown = client.get("/settings/sso").text
    assert CLIENT_SECRET not in shown and stored not in shown and "leave this blank" in shown

    # a blank secret keeps the stored one
    client.post("/settings/sso", data=_form(idp, oidc_client_secret=""))
    session.refresh(world.org)
    assert unseal(world.org.oidc_client_secret, server_secret=settings.resolved_secret_key())

    from fastapi.testclient import TestClient

    with TestClient(app) as colleague:
        response = colleague.get(provider_redirect(colleague), follow_redirects=False)
        assert response.status_code == 303, response.text
    session.commit()
    user = session.exec(select(User).where(User.email == "sso.user@bank.example")).one()
    assert user.organisation_id == world.org.id and user.role == Role.auditor


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"oidc_issuer": "http://idp.evil.example"}, "https://"),
        ({"sso_domains": "not a domain!"}, "not an email domain"),
        ({"sso_domains": "rival.example"}, "used for single sign-on elsewhere"),
        ({"default_role": "vendor_admin"}, "roles of your organisation"),
    ],
)
def test_bad_sso_settings_are_refused_and_nothing_changes(
    client, session, idp, world, changes, message
):
    make_buyer(session, "Rival Bank", sso_domains=["rival.example"])
    session.commit()
    login(client, world.admin.email)
    response = client.post("/settings/sso", data=_form(idp, **changes))
    assert response.status_code == 422 and message in response.text
    assert CLIENT_SECRET not in response.text
    session.refresh(world.org)
    assert world.org.oidc_issuer is None and world.org.oidc_client_secret is None


def test_a_secret_sealed_under_another_key_reads_as_missing(client, session, world):
    world.org.oidc_client_secret = seal("s3cret", server_secret="another-server-" + "k" * 40)
    session.add(world.org)
    session.commit()
    login(client, world.admin.email)
    assert "cannot be read with this server" in client.get("/settings/sso").text


def test_the_migration_seals_secrets_stored_in_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSAY_SECRET_KEY", "migration-test-" + "m" * 40)
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection=connection), "0005")
            connection.execute(
                text(
                    "INSERT INTO organisation (name, slug, regime, sso_domains, default_role,"
                    " oidc_client_secret, settings, created_at) VALUES ('Old Bank', 'old', 'DORA',"
                    " '[]', 'procurement', 'clear-secret', '{}', '2026-01-01 00:00:00')"
                )
            )
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection=connection), "head")
            stored = connection.execute(
                select(Organisation.oidc_client_secret).where(Organisation.slug == "old")
            ).scalar_one()
        assert stored != "clear-secret"
        assert unseal(stored, server_secret=get_settings().resolved_secret_key()) == "clear-secret"
    finally:
        engine.dispose()
        get_settings.cache_clear()
