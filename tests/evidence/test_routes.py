"""Evidence over HTTP: streamed uploads with CSRF, refusals that store nothing, safe downloads."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.evidence.storage import LocalEvidenceStore
from app.models import AuditEvent, Evidence
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.evidence.multipart import BOUNDARY, CONTENT_TYPE, multipart
from tests.helpers import login, run_async


def evidence_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Evidence)).one()


def post_file(client: TestClient, vendor_id: int, name: str, data: bytes, **fields: str):
    """A JavaScript-style upload: CSRF in the header, multipart body, htmx-style redirect."""
    body = multipart([*fields.items(), ("file", (name, data))])
    return client.post(
        f"/vendors/{vendor_id}/evidence",
        content=body,
        headers={"Content-Type": CONTENT_TYPE, "HX-Request": "true"},
    )


def switch_to(client: TestClient, email: str) -> TestClient:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    return login(client, email)


@pytest.fixture
def contact(client, world) -> TestClient:
    return login(client, world.contact.email)


def nothing_stored(engine, store: LocalEvidenceStore) -> bool:
    return evidence_count(engine) == 0 and stored_files(store) == []


def test_a_vendor_contact_uploads_and_sees_the_file_in_the_library(contact, world, engine, store):
    data = samples.pdf_bytes("AI policy")
    response = post_file(contact, world.vendor.id, "AI policy.pdf", data, title="AI policy")

    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/vendors/{world.vendor.id}/evidence"
    with Session(engine) as session:
        evidence = session.exec(select(Evidence)).one()
        assert session.exec(
            select(AuditEvent).where(AuditEvent.action == "evidence.uploaded")
        ).one()
    assert (evidence.filename, evidence.title, evidence.size) == (
        "AI policy.pdf",
        "AI policy",
        len(data),
    )
    with store.open(evidence.storage_key) as handle:
        assert handle.read() == data
    page = contact.get(f"/vendors/{world.vendor.id}/evidence")
    assert "Uploaded “AI policy.pdf”" in page.text
    assert f'href="/evidence/{evidence.id}/download"' in page.text


def test_the_plain_form_posts_the_csrf_token_as_its_first_field(client, world, engine):
    login(client, world.contact.email)
    token = client.headers.pop("X-CSRF-Token")
    body = multipart(
        [
            ("csrf_token", token),
            ("kind", "certificate"),
            ("valid_until", "2027-03-31"),
            ("file", ("cert.pdf", samples.pdf_bytes())),
        ]
    )
    response = client.post(
        f"/vendors/{world.vendor.id}/evidence",
        content=body,
        headers={"Content-Type": CONTENT_TYPE},
        follow_redirects=False,
    )

    assert response.status_code == 303
    with Session(engine) as session:
        evidence = session.exec(select(Evidence)).one()
    assert evidence.kind == "certificate"
    assert evidence.valid_until.isoformat() == "2027-03-31"


@pytest.mark.parametrize("where", ["missing", "wrong", "after the file"])
def test_uploads_without_a_valid_csrf_token_are_refused(client, world, engine, store, where):
    login(client, world.contact.email)
    token = client.headers.pop("X-CSRF-Token")
    parts = [("file", ("a.txt", b"hello\n"))]
    if where == "wrong":
        parts.insert(0, ("csrf_token", "forged"))
    elif where == "after the file":
        parts.append(("csrf_token", token))
    response = client.post(
        f"/vendors/{world.vendor.id}/evidence",
        content=multipart(parts),
        headers={"Content-Type": CONTENT_TYPE},
    )

    assert response.status_code == 403
    assert "did not come from Assay" in response.text
    assert nothing_stored(engine, store)


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("empty.pdf", b"", 422, "is empty"),
        ("setup.exe", samples.EXE, 422, "Accepted types: PDF"),
        ("chart.pdf", samples.image_bytes(), 422, "looks like a PNG image but is named .pdf"),
        ("page.pdf", samples.HTML, 422, "HTML, SVG or XML document"),
        ("bomb.zip", samples.zip_bomb_ratio(), 422, "looks like a zip bomb"),
        ("../../etc/passwd.txt", b"root:x:0:0\n", 422, "contains a path"),
        ("evil\x01name.txt", b"hello\n", 422, "control characters"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    contact, world, engine, store, name, data, status, message
):
    response = post_file(contact, world.vendor.id, name, data)

    assert response.status_code == status
    assert message in response.text
    assert response.headers["HX-Retarget"] == "#toasts"  # shown as a toast by evidence.js
    assert nothing_stored(engine, store)


def test_api_clients_get_problem_json(contact, world, engine, store):
    response = contact.post(
        f"/vendors/{world.vendor.id}/evidence",
        content=multipart([("file", ("chart.pdf", samples.image_bytes()))]),
        headers={"Content-Type": CONTENT_TYPE, "Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "looks like a PNG image" in response.json()["detail"]


def test_a_declared_size_over_the_limit_is_refused_before_reading(
    contact, world, app, engine, store
):
    app.state.settings = app.state.settings.model_copy(update={"upload_limit_mb": 1})
    response = post_file(contact, world.vendor.id, "big.txt", b"a" * (1024 * 1024 + 70_000))

    assert response.status_code == 413
    assert "larger than the 1 MB upload limit" in response.text
    assert nothing_stored(engine, store)


def test_a_streamed_upload_over_the_limit_stops_being_read(contact, world, app, engine, store):
    """No Content-Length (chunked): the server reads up to the limit and answers 413."""
    app.state.settings = app.state.settings.model_copy(update={"upload_limit_mb": 1})
    head = multipart([("file", ("big.txt", b""))], close=False)[: -len(b"\r\n")]
    chunks = [head] + [b"a" * 65536] * 64  # 4 MiB offered
    received = 0

    async def receive():
        nonlocal received
        if received < len(chunks):
            received += 1
            return {"type": "http.request", "body": chunks[received - 1], "more_body": True}
        return {"type": "http.disconnect"}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    cookie = "; ".join(f"{k}={v}" for k, v in contact.cookies.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/vendors/{world.vendor.id}/evidence",
        "raw_path": f"/vendors/{world.vendor.id}/evidence".encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"cookie", cookie.encode()),
            (b"x-csrf-token", contact.headers["X-CSRF-Token"].encode()),
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    run_async(app, scope, receive, send)

    assert sent[0]["status"] == 413
    assert received <= 18  # 1 MiB is 16 chunks of 64 KiB: reading stopped right after
    assert nothing_stored(engine, store)


def test_the_same_file_twice_is_one_library_item(contact, world, engine, store):
    data = samples.pdf_bytes()
    post_file(contact, world.vendor.id, "policy.pdf", data)
    contact.get(f"/vendors/{world.vendor.id}/evidence")  # where evidence.js goes after an upload
    post_file(contact, world.vendor.id, "policy (1).pdf", data)

    assert evidence_count(engine) == 1
    assert len(stored_files(store)) == 1
    page = contact.get(f"/vendors/{world.vendor.id}/evidence")
    assert "already in the library as “policy.pdf”" in page.text


def test_buyers_cannot_upload_and_contacts_only_to_their_vendor(
    client, world, rival, engine, store
):
    login(client, world.analyst.email)
    assert post_file(client, world.vendor.id, "a.txt", b"a\n").status_code == 403
    switch_to(client, rival.vendor_admin.email)
    assert post_file(client, world.vendor.id, "a.txt", b"a\n").status_code == 404
    assert nothing_stored(engine, store)


def test_uploads_need_a_signed_in_user(client, world, engine, store):
    response = client.post(
        f"/vendors/{world.vendor.id}/evidence",
        content=multipart([("file", ("a.txt", b"a\n"))]),
        headers={"Content-Type": CONTENT_TYPE},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert nothing_stored(engine, store)


@pytest.fixture
def uploaded(contact, world, engine):
    name = "Zertifikat ISO 42001 – “final”.pdf"
    post_file(contact, world.vendor.id, name, samples.pdf_bytes(), kind="certificate")
    with Session(engine) as session:
        return session.exec(select(Evidence)).one()


def test_download_is_an_attachment_with_safe_headers(contact, uploaded):
    response = contact.get(f"/evidence/{uploaded.id}/download")

    assert response.status_code == 200
    assert response.content == samples.pdf_bytes()
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="Zertifikat ISO 42001 _ _final_.pdf"' in disposition
    assert (
        "filename*=UTF-8''Zertifikat%20ISO%2042001%20%E2%80%93%20%E2%80%9Cfinal%E2%80%9D.pdf"
        in disposition
    )


def test_buyers_of_the_vendor_can_download_and_preview(client, world, uploaded):
    login(client, world.analyst.email)
    assert client.get(f"/evidence/{uploaded.id}/download").status_code == 200
    preview = client.get(f"/evidence/{uploaded.id}/preview")

    assert preview.status_code == 200
    assert preview.headers["content-disposition"].startswith("inline; ")
    assert preview.headers["content-security-policy"].startswith("sandbox;")
    assert "default-src 'none'" in preview.headers["content-security-policy"]
    assert preview.headers["x-content-type-options"] == "nosniff"


def test_text_is_never_previewed_inline(client, contact, world, engine):
    post_file(contact, world.vendor.id, "notes.txt", b"<b>not html</b> notes\n")
    with Session(engine) as session:
        evidence = session.exec(select(Evidence)).one()
    switch_to(client, world.analyst.email)
    response = client.get(f"/evidence/{evidence.id}/preview")
    assert response.headers["content-disposition"].startswith("attachment; ")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("who", ["analyst", "vendor_admin"])  # the rival's buyer and contact
def test_other_tenants_get_404(client, world, rival, uploaded, who):
    login(client, getattr(rival, who).email)
    assert client.get(f"/evidence/{uploaded.id}/download").status_code == 404
    assert client.get(f"/vendors/{world.vendor.id}/evidence").status_code == 404
    if who == "analyst":
        assert client.get(f"/evidence/{uploaded.id}/preview").status_code == 404


def test_vendors_do_not_get_the_buyer_preview(contact, uploaded):
    assert contact.get(f"/evidence/{uploaded.id}/preview").status_code == 403


def test_set_valid_until_and_see_the_expiry_flag(client, contact, world, uploaded):
    response = contact.post(
        f"/evidence/{uploaded.id}/valid-until", data={"valid_until": "2020-01-31"}
    )
    assert response.status_code == 200
    assert "2020-01-31" in response.text
    assert "expired" in response.text

    switch_to(client, world.analyst.email)
    overview = client.get("/evidence")
    assert "Zertifikat ISO 42001" in overview.text
    assert "expired" in overview.text


def test_a_contact_of_one_vendor_is_sent_to_its_library(contact, world):
    response = contact.get("/evidence", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/vendors/{world.vendor.id}/evidence"


def test_the_library_page_has_the_upload_form_for_contacts_only(client, contact, world):
    page = contact.get(f"/vendors/{world.vendor.id}/evidence")
    assert "data-evidence-upload" in page.text
    assert page.text.index('name="csrf_token"') < page.text.index('type="file"')
    assert "/static/evidence.js" in page.text
    switch_to(client, world.analyst.email)
    assert "data-evidence-upload" not in client.get(f"/vendors/{world.vendor.id}/evidence").text
