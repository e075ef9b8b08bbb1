"""Many writing requests at once: every one is answered, none waits out the busy timeout.

On SQLite a writing request takes the write lock up front (BEGIN IMMEDIATE). Waiting for it
inside a worker thread would hold that thread; with as many waiting writers as the thread pool
has threads (40), the request holding the lock would find no thread for its route, and every
waiter would fail after the 10 s busy timeout. Found by the autosave benchmark (bench/).
"""

from __future__ import annotations

import asyncio
import re

import httpx

from app.models import Role
from tests.factories import PASSWORD, make_org, make_user
from tests.helpers import run_async

WRITERS = 60  # more than the 40 worker threads of the default pool
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _sign_in_all(app, emails: list[str]) -> list[int]:
    transport = httpx.ASGITransport(app=app)
    clients = [httpx.AsyncClient(transport=transport, base_url="http://testserver") for _ in emails]
    try:
        tokens = [CSRF.search((await c.get("/login")).text).group(1) for c in clients]
        responses = await asyncio.gather(
            *(
                c.post("/login", data={"email": e, "password": PASSWORD, "csrf_token": t})
                for c, e, t in zip(clients, emails, tokens, strict=True)
            )
        )
        return [r.status_code for r in responses]
    finally:
        for c in clients:
            await c.aclose()


def test_sixty_simultaneous_sign_ins_all_succeed(app, session):
    org = make_org(session)
    emails = [make_user(session, org, Role.procurement).email for _ in range(WRITERS)]
    session.commit()
    statuses = run_async(_sign_in_all, app, emails)
    assert statuses == [303] * WRITERS
