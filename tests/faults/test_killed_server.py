"""The server killed (SIGKILL) in the middle of an upload or an import leaves nothing half done.

Each test starts `assay serve`, sends a slow or large request, waits until the server is visibly
inside it (the upload's temporary file is growing; the import's transaction holds the write
lock or has written rows), kills the process, and then checks what a restart would find: no
evidence row, no blob under a real key, no half-applied import, an audit chain that verifies,
`assay evidence verify` clean, and a server that starts and works again.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import Session, func, select

from app.auth.service import create_api_token
from app.evidence.storage import LocalEvidenceStore
from app.models import Answer, AuditEvent, Evidence, Role, Vendor
from app.vendors.identifiers import lei_with_check_digits
from tests.evidence.multipart import BOUNDARY, CONTENT_TYPE, multipart
from tests.evidence.samples import pdf_bytes
from tests.factories import (
    PASSWORD,
    make_assessment,
    make_org,
    make_questionnaire,
    make_user,
    make_vendor,
    make_vendor_user,
)
from tests.faults.conftest import wait_for_backends_to_go, wait_until, write_in_progress
from tests.security.conftest import audit_problems, row_counts

FILE_SIZE = 20 * 1024 * 1024
IMPORT_ROWS = 3000


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def evidence_verify(settings) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ASSAY_DATABASE_URL": settings.database_url,
        "ASSAY_DATA_DIR": str(settings.data_dir),
        "ASSAY_SECRET_KEY": settings.secret_key,
    }
    return subprocess.run(
        [str(Path(sys.executable).with_name("assay")), "evidence", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def people(session):
    org = make_org(session, "Harbour Bank")
    buyer = make_user(session, org, Role.procurement)
    vendor = make_vendor(session, org, "Cobalt Cloud SE")
    contact = make_vendor_user(session, vendor)
    session.commit()
    return org, buyer, vendor, contact


def _part_files(store: LocalEvidenceStore) -> list[Path]:
    return sorted(store.incoming.glob("*.part")) if store.incoming.exists() else []


def test_killed_during_an_upload_keeps_no_evidence(server, people, settings, engine):
    _, _, vendor, contact = people
    server.start()
    client = server.browser(contact.email, PASSWORD)
    store = LocalEvidenceStore(settings.evidence_dir)
    before = row_counts(engine)

    head = multipart([("title", "Half a policy"), ("file", ("policy.pdf", b""))], close=False)
    head = head[: -len(b"\r\n")]  # the file's bytes follow
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    request = (
        f"POST /vendors/{vendor.id}/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: {cookie}\r\nX-CSRF-Token: {client.headers['X-CSRF-Token']}\r\n"
        f"Content-Type: {CONTENT_TYPE}\r\n"
        f"Content-Length: {len(head) + FILE_SIZE + len(tail)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(request + head + b"%PDF-1.4\n")
        sent = 9
        chunk = b"x" * 65536
        while not any(p.stat().st_size > 1024 * 1024 for p in _part_files(store)):
            sock.sendall(chunk)  # slowly: the server is streaming it to a temporary file
            sent += len(chunk)
            time.sleep(0.005)
            assert sent < FILE_SIZE, "the upload never reached the evidence store"
        server.kill()

    assert count(engine, Evidence) == 0
    assert list(store.iter_keys()) == []  # nothing under a real key
    changed = {t for t, n in row_counts(engine).items() if n != before[t]}
    assert changed == set(), changed
    assert audit_problems(engine) == []
    verified = evidence_verify(settings)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    left = _part_files(store)
    assert left, "expected the killed upload's temporary file (nothing could delete it)"

    # A restart is clean: the next upload works, and sweeps what the killed one left behind.
    old = time.time() - 2 * 24 * 3600
    for part in left:
        os.utime(part, (old, old))
    server.start()
    client = server.browser(contact.email, PASSWORD)
    body = multipart([("file", ("policy.pdf", pdf_bytes("Whole policy")))])
    done = client.post(
        f"/vendors/{vendor.id}/evidence", content=body, headers={"Content-Type": CONTENT_TYPE}
    )
    assert done.status_code == 303, done.text[-1000:]
    assert count(engine, Evidence) == 1
    assert _part_files(store) == []
    assert evidence_verify(settings).returncode == 0


def _import_rows() -> list[dict]:
    return [
        {
            "legal_name": f"Imported Vendor {n}",
            "identifier": lei_with_check_digits(f"KILLED{n:012d}"),
            "hq_country": "DE",
        }
        for n in range(IMPORT_ROWS)
    ]


def _kill_mid_write(server, database_url: str, send) -> None:
    """Send the request on a raw socket; kill the server once it is writing."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(send)
        wait_until(lambda: write_in_progress(database_url), what="the server to start writing")
        time.sleep(0.5)  # well inside the transaction: rows flushed, audit events appended
        assert write_in_progress(database_url), "the request finished before the kill"
        server.kill()
    wait_for_backends_to_go(database_url)


def test_killed_during_a_vendor_import_applies_none_of_it(
    server, people, session, settings, engine, database_url
):
    _, buyer, _, _ = people
    _, secret = create_api_token(session=session, user=buyer, name="bulk")
    session.commit()
    server.start()
    vendors, events = count(engine, Vendor), count(engine, AuditEvent)
    body = json.dumps(_import_rows()).encode()
    request = (
        f"POST /api/v1/vendors/import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {secret}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()

    _kill_mid_write(server, database_url, request + body)

    assert count(engine, Vendor) == vendors  # all or nothing: nothing
    assert count(engine, AuditEvent) == events
    assert audit_problems(engine) == []
    server.start()
    again = httpx.post(
        f"{server.url}/api/v1/vendors/import",
        json=_import_rows()[:50],
        headers={"Authorization": f"Bearer {secret}"},
        timeout=120,
    )
    assert again.status_code == 200 and again.json()["created"] == 50
    assert audit_problems(engine) == []


def test_killed_during_a_workbook_import_applies_none_of_it(
    server, session, settings, engine, database_url
):
    """The portal's Excel import applies every row in one transaction: kill it half-way."""
    questions = 600
    definition = {
        "key": "long",
        "version": 1,
        "title": "Six hundred questions",
        "sections": [
            {
                "key": "s",
                "title": "All",
                "questions": [
                    {"key": f"q{n:03d}", "text": f"Question {n}?", "type": "text"}
                    for n in range(questions)
                ],
            }
        ],
    }
    org = make_org(session, "Harbour Bank")
    buyer = make_user(session, org, Role.procurement)
    vendor = make_vendor(session, org, "Cobalt Cloud SE")
    contact = make_vendor_user(session, vendor)
    assessment = make_assessment(
        session, org, vendor, buyer, make_questionnaire(session, definition)
    )
    session.commit()
    server.start()
    client = server.browser(contact.email, PASSWORD)
    events = count(engine, AuditEvent)
    changes = [
        ("change", json.dumps({"key": f"q{n:03d}", "value": f"answer {n}", "version": 0}))
        for n in range(questions)
    ]
    form = urlencode([("csrf_token", client.headers["X-CSRF-Token"]), *changes]).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    request = (
        f"POST /portal/assessments/{assessment.id}/import/apply HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\n\r\n"
    ).encode()

    _kill_mid_write(server, database_url, request + form)

    assert count(engine, Answer) == 0
    assert count(engine, AuditEvent) == events
    assert audit_problems(engine) == []
