"""People and roles: an administrator changes a colleague's role or access, on the audit trail;
a deactivated person is signed out; nobody removes their own admin access; other tenants 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.service import verify
from app.models import AuditEvent, User
from tests.helpers import login
from tests.worlds import Buyer, make_buyer


@pytest.fixture
def world(session: Session) -> Buyer:
    built = make_buyer(session, "Acme Bank")
    session.commit()
    return built


def stored(engine, user: User) -> User:
    with Session(engine) as session:
        return session.get(User, user.id)


def test_admin_changes_a_role_and_the_trail_has_before_and_after(client, engine, world):
    login(client, world.admin.email)
    page = client.get("/settings/people")
    assert page.status_code == 200 and world.analyst.email in page.text
    response = client.post(
        f"/settings/people/{world.analyst.id}",
        data={"role": "auditor", "active": "on"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert stored(engine, world.analyst).role == "auditor"
    with Session(engine) as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "user.role_changed")
        ).one()
        assert event.data["before"] == {"role": "risk_analyst", "active": True}
        assert event.data["after"] == {"role": "auditor", "active": True}
        assert verify(session=session).ok


def test_deactivating_someone_ends_their_sessions(app, client, engine, world):
    with TestClient(app, base_url="http://testserver") as colleague:
        login(colleague, world.analyst.email)
        assert colleague.get("/dashboard").status_code == 200
        login(client, world.admin.email)
        client.post(f"/settings/people/{world.analyst.id}", data={"role": "risk_analyst"})
        assert stored(engine, world.analyst).active is False
        assert colleague.get("/dashboard", follow_redirects=False).status_code in (302, 303, 401)


def test_nobody_removes_their_own_admin_access(client, engine, world):
    login(client, world.admin.email)
    response = client.post(
        f"/settings/people/{world.admin.id}", data={"role": "procurement", "active": "on"}
    )
    assert response.status_code == 422
    assert "cannot remove your own administrator access" in response.text
    assert stored(engine, world.admin).role == "admin"


def test_an_unknown_role_is_refused_and_changes_nothing(client, engine, world):
    login(client, world.admin.email)
    response = client.post(
        f"/settings/people/{world.analyst.id}", data={"role": "vendor_admin", "active": "on"}
    )
    assert response.status_code == 422
    assert stored(engine, world.analyst).role == "risk_analyst"


def test_other_roles_and_other_tenants_are_refused(app, client, engine, world, rival):
    login(client, world.admin.email)
    response = client.post(
        f"/settings/people/{rival.procurement.id}", data={"role": "admin", "active": "on"}
    )
    assert response.status_code == 404 and "Rival" not in response.text
    assert stored(engine, rival.procurement).role == "procurement"
    with TestClient(app, base_url="http://testserver") as analyst:
        login(analyst, world.analyst.email)
        assert analyst.get("/settings/people").status_code == 403
