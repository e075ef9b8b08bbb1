"""Where a request may come from: only the configured host names, and state changes only from
Assay's own pages (Origin / Sec-Fetch-Site) — each refusal changes nothing. Secrets in URLs
never reach the access log."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import SettingsError, load_settings
from app.models import Organisation
from app.security import redact_url
from tests.helpers import bearer, login
from tests.smtp import _free_port
from tests.worlds import make_buyer_with_vendor

TOKEN = "Zk3xQ9_vT-2mLpW8rN4sYb7cH1dJ6fGa0eKuIoPqRs"


@pytest.fixture
def world(session):
    world = make_buyer_with_vendor(session, "Harbour Bank")
    session.commit()
    return world


def _rename(client: TestClient, name: str, **headers: str):
    return client.post(
        "/settings/organisation",
        data={"name": name, "currency": "EUR"},
        headers=headers,
        follow_redirects=False,
    )


def _org_name(engine, org_id: int) -> str:
    with Session(engine) as fresh:
        return fresh.get(Organisation, org_id).name


def test_a_same_origin_change_goes_through(app, engine, world):
    with TestClient(app) as client:
        login(client, world.admin.email)
        assert _rename(client, "Harbour Bank AG", origin="http://testserver").status_code == 303
    assert _org_name(engine, world.org.id) == "Harbour Bank AG"


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": "http://testserver.evil.example"},
        {"origin": "https://testserver"},  # another scheme is another origin
        {"sec-fetch-site": "cross-site"},
    ],
    ids=["other-site", "null", "suffix", "scheme", "fetch-metadata"],
)
def test_a_change_from_another_site_is_refused_and_changes_nothing(app, engine, world, headers):
    with TestClient(app) as client:
        login(client, world.admin.email)
        response = _rename(client, "Pwned Bank", **headers)
        assert response.status_code == 403
        assert "came from another site" in response.text
        assert response.headers["x-frame-options"] == "DENY"  # refusals carry the headers too
        assert client.get("/settings/organisation").status_code == 200  # still signed in
    assert _org_name(engine, world.org.id) == "Harbour Bank"


def test_the_configured_public_origin_is_accepted(app, settings, engine, world):
    app.state.settings = settings.model_copy(update={"base_url": "https://assay.bank.example"})
    with TestClient(app) as client:
        login(client, world.admin.email)
        response = _rename(client, "Harbour Bank SE", origin="https://assay.bank.example")
    assert response.status_code == 303
    assert _org_name(engine, world.org.id) == "Harbour Bank SE"


def test_an_api_change_from_another_site_gets_problem_json(app, session, world):
    headers = bearer(session, world.admin, "tok-" + "a" * 40) | {"origin": "https://evil.example"}
    session.commit()
    with TestClient(app) as client:
        response = client.post("/api/v1/vendors", json={"name": "Evil Ltd"}, headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "another site" in response.json()["detail"]


def test_reads_are_not_checked_for_origin(client):
    assert client.get("/login", headers={"origin": "https://evil.example"}).status_code == 200


def test_an_unknown_host_is_refused(app, settings):
    app.state.settings = settings.model_copy(update={"allowed_hosts": "assay.bank.example"})
    with TestClient(app, base_url="http://assay.bank.example") as client:
        assert client.get("/healthz").status_code == 200
    for host in ("testserver", "evil.example", "assay.bank.example.evil.example", "[bad"):
        with TestClient(app, base_url="http://testserver") as client:
            response = client.get("/login", headers={"host": host})
            assert response.status_code == 400, host
            assert response.text == "Invalid host header"


def test_default_hosts_are_the_public_address_and_loopback():
    production = load_settings(base_url="https://assay.bank.example", environment="production")
    assert production.trusted_hosts == ("assay.bank.example", "127.0.0.1", "localhost", "::1")
    assert "testserver" in load_settings().trusted_hosts
    assert load_settings(allowed_hosts=" a.example , *.b.example ").trusted_hosts == (
        "a.example",
        "*.b.example",
    )


@pytest.mark.parametrize("value", ["https://a.example", "a.example/x", " , ", "a b", "a*.example"])
def test_a_malformed_allowed_hosts_setting_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("ASSAY_ALLOWED_HOSTS", value)
    with pytest.raises(SettingsError, match=r"^ASSAY_ALLOWED_HOSTS: "):
        load_settings()


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/invitations/{TOKEN}", "/invitations/[redacted]"),
        (f"/password/reset/{TOKEN}?next=/x", "/password/reset/[redacted]?next=/x"),
        (
            "/login/sso/callback?code=abc&state=def",
            "/login/sso/callback?code=[redacted]&state=[redacted]",
        ),
        (
            "/assessments/12/questions/aiact.ai_literacy",
            "/assessments/12/questions/aiact.ai_literacy",
        ),
        ("/evidence/" + "a" * 64, "/evidence/" + "a" * 64),  # a file's hash is no secret
    ],
)
def test_redact_url(path, logged):
    assert redact_url(path) == logged


def test_the_access_log_of_a_real_server_never_holds_an_invitation_token(app):
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    collect = Collect()
    logging.getLogger("uvicorn.access").addHandler(collect)
    try:
        httpx.get(f"http://127.0.0.1:{port}/invitations/{TOKEN}?code=secret-code")
    finally:
        logging.getLogger("uvicorn.access").removeHandler(collect)
        server.should_exit = True
        thread.join(timeout=10)
    [line] = [line for line in lines if "/invitations/" in line]
    assert "/invitations/[redacted]?code=[redacted]" in line
    assert TOKEN not in line and "secret-code" not in line
