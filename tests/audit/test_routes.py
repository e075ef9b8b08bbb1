"""The trail in the browser: filters, pages, tenant scope, the verified badge and exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app.audit.service import chain_for, record
from app.models import AuditEvent, Role
from tests.audit.conftest import make_events
from tests.factories import make_org, make_user
from tests.helpers import login

HTMX = {"HX-Request": "true"}


@pytest.fixture
def org(session):
    return make_org(session, "Harbourvale Bank")


@pytest.fixture
def auditor(session, org):
    user = make_user(session, org, Role.auditor, email="aldo@harbourvale.example")
    session.commit()
    return user


@pytest.fixture
def analyst(session, org):
    user = make_user(session, org, Role.procurement, email="pia@harbourvale.example")
    session.commit()
    return user


def _sequences(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", html)]


def test_auditor_sees_the_trail_newest_first_with_readable_changes(
    client, session, auditor, analyst
):
    make_events(session, analyst, 3)
    login(client, auditor.email)
    page = client.get("/audit")
    assert page.status_code == 200
    assert 'href="/audit">Audit trail</a>' in page.text  # the nav link
    assert _sequences(page.text) == [4, 3, 2, 1]  # the sign-in is #4
    assert "<del>v3</del> → <ins>w3</ins>" in page.text
    assert "pia@harbourvale.example" in page.text
    assert "Chain verified" in page.text


def test_roles_without_view_audit_are_refused(client, analyst):
    login(client, analyst.email)
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert 'href="/audit"' not in client.get("/").text


def test_another_organisations_events_are_invisible(client, session, auditor):
    stranger = make_user(session, make_org(session), Role.admin, email="eve@other.example")
    session.commit()
    make_events(session, stranger, 2, object_id="424242")
    login(client, auditor.email)
    page = client.get("/audit", params={"object_id": "424242"})
    assert "No events match" in page.text
    assert "eve@other.example" not in client.get("/audit").text
    assert "eve@other.example" not in client.get("/audit/export.csv").text


def test_filters_narrow_the_trail(client, session, auditor, analyst):
    record(
        session=session, action="vendor.created", actor=analyst, object_type="vendor", object_id=7
    )
    record(
        session=session, action="vendor.updated", actor=analyst, object_type="vendor", object_id=8
    )
    record(
        session=session,
        action="assessment.sent",
        actor=auditor,
        object_type="assessment",
        object_id=7,
    )
    session.commit()
    login(client, auditor.email)

    def seqs(**params) -> list[int]:
        return _sequences(client.get("/audit", params=params, headers=HTMX).text)

    assert seqs(action="vendor.") == [2, 1]
    assert seqs(action="vendor_") == []  # the prefix is literal, not a LIKE pattern
    assert seqs(actor="PIA@") == [2, 1]
    assert seqs(object_type="assessment", object_id="7") == [3]
    assert seqs(object_id="7") == [3, 1]
    today = datetime.now(UTC).date()
    assert seqs(date_from=today.isoformat(), date_to=today.isoformat()) == [4, 3, 2, 1]
    assert seqs(date_to=(today - timedelta(days=1)).isoformat()) == []
    assert seqs(date_from="", date_to="") == [4, 3, 2, 1]  # an empty date field is no filter


def test_pages_go_older_and_back_newer_in_place(client, session, auditor, analyst):
    make_events(session, analyst, 59)  # with the sign-in: 60 events
    login(client, auditor.email)
    first = client.get("/audit", params={"action": "vendor."})
    assert _sequences(first.text) == list(range(59, 9, -1))
    assert "before=10" in first.text and "after=" not in first.text
    older = client.get("/audit", params={"action": "vendor.", "before": 10}, headers=HTMX)
    assert older.text.lstrip().startswith('<section id="audit-results">')
    assert "<html" not in older.text and "Chain verified" not in older.text
    assert _sequences(older.text) == list(range(9, 0, -1))
    assert "action=vendor." in older.text and "after=9" in older.text
    assert "before=" not in older.text
    newer = client.get("/audit", params={"action": "vendor.", "after": 9}, headers=HTMX)
    assert _sequences(newer.text) == list(range(59, 9, -1))


def test_the_badge_reports_a_broken_chain(client, session, auditor, analyst, tamper):
    events = make_events(session, analyst, 3)
    tamper("UPDATE auditevent SET object_id = 'x' WHERE id = :id", {"id": events[1].id})
    login(client, auditor.email)
    page = client.get("/audit")
    assert "Chain broken" in page.text and "Event #2: content was altered" in page.text


def test_the_badge_ignores_other_organisations(client, session, auditor, tamper):
    stranger = make_user(session, make_org(session), Role.admin)
    session.commit()
    [event] = make_events(session, stranger, 1)
    tamper("DELETE FROM auditevent WHERE id = :id", {"id": event.id})
    login(client, auditor.email)
    assert "Chain verified" in client.get("/audit").text


def _inject(session, user) -> None:
    record(
        session=session,
        action="vendor.updated",
        actor=user,
        object_type="vendor",
        object_id='=HYPERLINK("http://evil.example")',
        data={"after": {"name": "@SUM(1+1)"}},
    )
    record(
        session=session, action="vendor.created", actor=user, object_type="vendor", object_id="-1+2"
    )
    session.commit()


def test_xlsx_export_is_filtered_neutralised_and_audited(client, session, auditor, analyst):
    _inject(session, analyst)
    login(client, auditor.email)
    response = client.get("/audit/export.xlsx", params={"action": "vendor."})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Audit trail"]
    rows = list(sheet.values)
    assert rows[0][:4] == ("Sequence", "Time (UTC)", "Actor", "Action")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I3"
    assert [r[0] for r in rows[1:]] == [2, 1]
    assert rows[2][5] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][5] == "'-1+2"
    assert isinstance(rows[1][1], datetime)
    assert all(
        cell.data_type != "f" for row in sheet.iter_rows() for cell in row
    )  # no formula anywhere
    exported = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.exported")).one()
    assert exported.actor_id == auditor.id and exported.chain == chain_for(auditor.organisation_id)
    assert exported.data == {"format": "xlsx", "filters": {"action": "vendor."}, "events": 2}
    assert exported.ip == "testclient"


def test_csv_export_is_neutralised_and_audited(client, session, auditor, analyst):
    _inject(session, analyst)
    login(client, auditor.email)
    response = client.get("/audit/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Sequence" and [r[0] for r in rows[1:]] == ["3", "2", "1"]
    object_ids = {r[5] for r in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example")' in object_ids and "'-1+2" in object_ids
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.sequence)).all()
    assert actions[-1] == "audit.exported"
    # the export event is itself on the trail the next auditor sees
    assert "audit.exported" in client.get("/audit").text


def test_an_account_without_organisation_cannot_open_the_trail(client, session):
    admin = make_user(session, None, Role.admin, email="root@platform.example")
    session.commit()
    login(client, admin.email)
    assert client.get("/audit").status_code == 403
