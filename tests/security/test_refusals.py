"""A refused action says who can do it: the roles holding the permission, read from the one
permission table, and who can change the caller's role."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.auth.permissions import Permission, has_permission
from app.auth.refusals import refusal_message, roles_with
from app.models import Role
from tests.helpers import bearer, login
from tests.worlds import make_buyer_with_vendor


def test_every_permission_names_exactly_the_roles_the_table_grants_it():
    for permission in Permission:
        assert roles_with(permission) == [r for r in Role if has_permission(r, permission)]


def test_procurement_refused_the_register_of_information_reads_who_can(app, session):
    world = make_buyer_with_vendor(session)
    session.commit()
    with TestClient(app) as client:
        login(client, world.procurement.email)
        page = client.get("/register/roi")
    assert page.status_code == 403
    assert (
        "Your role (procurement) cannot export reports and registers. Admins, risk analysts "
        "and auditors can; an admin of your organisation can change your role in People and "
        "roles." in page.text
    )


def test_a_vendor_contact_refused_the_team_page_is_sent_to_the_vendor_admin(app, session):
    world = make_buyer_with_vendor(session)
    session.commit()
    with TestClient(app) as client:
        login(client, world.contact.email)
        page = client.get("/vendor-team")
    assert page.status_code == 403
    assert "Vendor admins can; your vendor admin can change your role under Team." in page.text


def test_the_api_refusal_carries_the_same_sentence(app, session):
    world = make_buyer_with_vendor(session)
    headers = bearer(session, world.procurement, "tok-" + "p" * 40)
    session.commit()
    with TestClient(app) as client:
        response = client.get("/api/v1/register.xlsx", headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == refusal_message(Role.procurement, Permission.export_reports)


def test_a_buyer_role_refused_a_vendor_only_action_is_not_told_to_change_role():
    message = refusal_message(Role.auditor, Permission.manage_vendor_team)
    assert message == "Your role (auditor) cannot manage the vendor's team: only vendor admins can."
    message = refusal_message(Role.vendor_admin, Permission.view_audit)
    assert "only the buyer's admins and auditors can" in message
