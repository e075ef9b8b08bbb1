"""The API reference: signed-in users only, drawn by vendored Swagger UI under the strict CSP."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.security import CONTENT_SECURITY_POLICY
from tests.helpers import bearer, login
from tests.worlds import make_buyer_with_vendor


def test_strangers_get_neither_the_schema_nor_the_page(client):
    assert client.get("/api/openapi.json").status_code == 401
    page = client.get("/api/docs", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/api/docs"


def test_a_signed_in_user_reads_the_schema_and_the_page_with_local_assets(app, session):
    world = make_buyer_with_vendor(session)
    session.commit()
    with TestClient(app) as client:
        login(client, world.contact.email)
        schema = client.get("/api/openapi.json")
        assert schema.status_code == 200
        assert "/api/v1/vendors" in schema.json()["paths"]
        assert "/api/docs" not in schema.json()["paths"]
        page = client.get("/api/docs")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page.text)
        assert len(assets) == 3 and "<script>" not in page.text  # no inline script
        for asset in assets:
            assert asset.startswith("http://testserver/static/"), asset  # no CDN
            assert client.get(asset).status_code == 200


def test_an_api_token_reads_the_schema(app, session):
    world = make_buyer_with_vendor(session)
    headers = bearer(session, world.admin, "tok-" + "d" * 40)
    session.commit()
    with TestClient(app) as client:
        assert client.get("/api/openapi.json", headers=headers).json()["info"]["title"] == "Assay"
