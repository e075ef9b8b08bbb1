"""Every route of the app, with every role, against the one permission table.

Routes are discovered from the app (so routes added later are covered automatically); a route's
permission is read from its `require(...)` dependency. For each role: allowed → 2xx/3xx (a
state-changing route may also answer 422 to the walker's empty form), not allowed → 403, and an
id of another tenant's object → 404 (or 422 for a form the walker leaves empty, which is
refused before any lookup) without leaking that tenant's names. Ids for path parameters
come from tests/auth/route_ids.py::PATH_IDS (extend it when you add a `{thing_id}` route).
"""

from __future__ import annotations

import re

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from app.auth.permissions import Permission, has_permission
from app.config import load_settings
from app.deps import current_user
from app.main import create_app
from app.models import BUYER_ROLES, VENDOR_ROLES, Role
from tests.auth.route_ids import PATH_IDS, PATH_IDS_FOR_PREFIX, Caller, Tenant
from tests.factories import make_org, make_user, make_vendor, make_vendor_user
from tests.helpers import login

ALL_ROLES = list(Role)
PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _walk(dependant: Dependant):
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def route_needs(route) -> tuple[bool, Permission | None]:
    """(signed-in required, declared permission) read from the route's dependencies."""
    calls = [d.call for d in _walk(route.dependant) if d.call is not None]
    permissions = {getattr(c, "permission", None) for c in calls} - {None}
    assert len(permissions) <= 1, f"{route.path} declares several permissions: {permissions}"
    permission = next(iter(permissions), None)
    return (current_user in calls or permission is not None), permission


def protected_routes() -> list[tuple[str, str]]:
    app = create_app(load_settings(secret_key="walk-" + "x" * 40))
    found = []
    for context in iter_route_contexts(app.routes):
        if getattr(context, "dependant", None) is None:
            continue
        if route_needs(context)[0]:
            found += [(m, context.path) for m in sorted(context.methods - {"HEAD"})]
    return found


ROUTES = protected_routes()


def test_the_walk_finds_the_routes_it_should():
    assert ("GET", "/account") in ROUTES and ("POST", "/vendor-team/{contact_id}/remove") in ROUTES
    assert ("GET", "/login") not in ROUTES and ("GET", "/invitations/{token}") not in ROUTES
    account_routes = {
        ("POST", "/account/password"),
        ("POST", "/settings/invitations"),
        ("POST", "/settings/invitations/{invitation_id}/resend"),
        ("POST", "/settings/invitations/{invitation_id}/revoke"),
        ("GET", "/settings/sso"),
        ("POST", "/settings/sso"),
    }
    assert account_routes <= set(ROUTES)
    public = {("GET", "/password/forgot"), ("POST", "/password/reset/{token}")}
    assert not public & set(ROUTES)  # reached signed out, so not walked


def make_tenant(session, name: str) -> Tenant:
    org = make_org(session, name=f"{name} Bank")
    vendor = make_vendor(session, org, f"{name} Vendor Ltd")
    users = {role: make_user(session, org, role) for role in BUYER_ROLES}
    users |= {role: make_vendor_user(session, vendor, role) for role in VENDOR_ROLES}
    return Tenant(org=org, vendor=vendor, users=users)


def url_for(path: str, caller: Caller) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        prefixes = [p for p, n in PATH_IDS_FOR_PREFIX if n == name and path.startswith(p)]
        if prefixes:
            return str(PATH_IDS_FOR_PREFIX[(max(prefixes, key=len), name)](caller))
        assert name in PATH_IDS, f"add an id factory for {{{name}}} to tests/auth/route_ids.py"
        return str(PATH_IDS[name](caller))

    return PARAM.sub(replace, path)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_obeys_the_permission_table(method, path, app, session, settings):
    route = next(
        c
        for c in iter_route_contexts(app.routes)
        if getattr(c, "dependant", None) is not None and c.path == path and method in c.methods
    )
    _, permission = route_needs(route)
    own, other = make_tenant(session, "Home"), make_tenant(session, "Rival")
    urls = {}
    for role in ALL_ROLES:
        urls[role] = (
            url_for(path, Caller(session, settings, own, own.users[role])),
            url_for(path, Caller(session, settings, other, other.users[role]))
            if PARAM.search(path)
            else None,
        )
    session.commit()

    for role in ALL_ROLES:
        allowed = permission is None or has_permission(role, permission)
        own_url, other_url = urls[role]
        with TestClient(app) as client:
            login(client, own.users[role].email)
            if other_url is not None:  # before own: a POST on our own object may end the session
                response = client.request(method, other_url, follow_redirects=False)
                # a state-changing route validates its form before it looks the object up
                expected = {403} if not allowed else {404} if method == "GET" else {404, 422}
                assert response.status_code in expected, (
                    f"{role} {method} {other_url}: {response.status_code}"
                )
                assert "Rival" not in response.text, (
                    f"{role} {method} {other_url} leaks the other tenant"
                )
            response = client.request(method, own_url, follow_redirects=False)
            status = response.status_code
            if not allowed:
                assert status == 403, f"{role} {method} {own_url}: {status}, expected 403"
            elif method == "GET":
                assert 200 <= status < 400, f"{role} {method} {own_url}: {status}, expected 2xx/3xx"
            else:
                assert status < 500 and status not in (401, 403, 404), (
                    f"{role} {method} {own_url}: {status}"
                )
