"""A request's unit of work commits before its response leaves: a browser that follows the
redirect of a save at once must find what was saved (the vendor journey once got a 404)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import Role, Vendor
from app.vendors.identifiers import lei_with_check_digits
from tests.factories import make_org, make_user
from tests.helpers import login


def test_a_save_is_committed_before_its_response_starts(app, engine, session):
    user = make_user(session, make_org(session), Role.procurement)
    session.commit()
    vendors_when_answered: list[int] = []

    async def watching(scope, receive, send):
        async def send_and_look(message):
            if message["type"] == "http.response.start" and scope["path"] == "/vendors":
                with Session(engine) as other:  # another connection: sees committed rows only
                    count = other.exec(select(func.count()).select_from(Vendor)).one()
                vendors_when_answered.append(count)
            await send(message)

        await app(scope, receive, send_and_look)

    with TestClient(watching, base_url="http://testserver") as client:
        login(client, user.email)
        response = client.post(
            "/vendors",
            data={
                "legal_name": "Nordlicht Analytics GmbH",
                "identifier": lei_with_check_digits("5299009NORDLICHT01"),
                "hq_country": "DE",
            },
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert vendors_when_answered == [1]
