"""Helpers for driving the app like a browser: CSRF tokens, signing in, raw async calls."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import anyio
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.models import ApiToken, TokenScope, User
from app.security import token_hash
from tests.factories import PASSWORD

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    match = CSRF_PATTERN.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    """Sign in through the real form; afterwards htmx-style posts carry the CSRF header."""
    token = csrf_from(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = csrf_from(client, "/")
    return client


def bearer(session: Session, user: User, token: str) -> dict[str, str]:
    """Store `token` as an API token of `user` (the caller commits); the header that sends it."""
    session.add(
        ApiToken(
            user_id=user.id,
            name="test",
            prefix=token[:8],
            token_hash=token_hash(token),
            scope=TokenScope.write,
        )
    )
    return {"Authorization": f"Bearer {token}"}


def run_async(func: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Run an async function to completion in a thread of its own: when browser journeys ran
    earlier in this process, Playwright's sync API keeps an event loop in the test's thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, func, *args).result()


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` runs inside the block (query-count tests: no N+1)."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
