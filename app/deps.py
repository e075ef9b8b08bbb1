"""Request dependencies: the database session (its unit of work lives in `app.db`), the caller,
and permission checks.

Routes are authenticated by default (the protected router depends on `current_user`), CSRF is
checked for every state-changing browser request, and `require(permission)` is the one place a
route states what it needs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from app.auth.permissions import Permission, has_permission
from app.auth.refusals import refusal_message
from app.auth.sessions import CSRF_FIELD, CSRF_HEADER, csrf_valid, session_user_id
from app.config import Settings, get_settings
from app.db import SAFE_METHODS, get_session, get_write_session
from app.errors import Forbidden, LoginRequired
from app.models import ApiToken, BrowserSession, TokenScope, User, utcnow
from app.security import token_hash

TOKEN_USE_RESOLUTION = timedelta(minutes=5)


# scope="function": the unit of work commits before the response is sent. With the default
# ("request") FastAPI would commit after sending, so a browser following the redirect of a save
# could ask for the new row before it exists, and a failed commit would follow a success page.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]


async def _settings() -> Settings:
    """`get_settings` as an async dependency: a sync one costs a trip through the thread pool
    on every request, which a loaded server pays in scheduling delay."""
    return get_settings()


SettingsDep = Annotated[Settings, Depends(_settings)]


def _user_from_bearer(
    request: Request, session: Session, header: str, background: BackgroundTasks
) -> User | None:
    """The active owner of a live token; a read token may only read (403 on a write)."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    api_token = session.exec(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token.strip()))
    ).first()
    now = utcnow()
    if api_token is None or api_token.revoked_at is not None:
        return None
    if api_token.expires_at is not None and api_token.expires_at < now:
        return None
    if api_token.scope != TokenScope.write and request.method not in SAFE_METHODS:
        raise Forbidden("This API token may only read; changes need a read and write token.")
    last_used = api_token.last_used_at
    if last_used is None or now - last_used > TOKEN_USE_RESOLUTION:  # spare a write per call
        background.add_task(_note_token_use, session.get_bind(), api_token.id, now)
    return session.get(User, api_token.user_id)


def _note_token_use(engine: Engine, token_id: int, when: datetime) -> None:
    """Record a token's last use after the response, in a transaction of its own.

    Inside the request it would be a second writer beside the route's unit of work: on SQLite
    the two wait on each other's write lock until the busy timeout.
    """
    with Session(engine) as session:
        session.exec(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=when))
        session.commit()


def current_user(
    request: Request, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> User:
    """The signed-in user (session cookie) or the API token's owner; else LoginRequired."""
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    user: User | None = None
    authorization = request.headers.get("authorization")
    if authorization:
        user = _user_from_bearer(request, session, authorization, background)
        request.state.via_token = user is not None
    else:
        # The row read to check the session's epoch is the caller: keep it, or the session's
        # weakly-referencing identity map drops it and the user is read a second time. One
        # statement reads the user and checks that the server-side session has not ended.
        checked: list[User | None] = [None]

        def epoch_of(uid: int, key_hash: str) -> int | None:
            found = checked[0] = session.exec(
                select(User)
                .join(BrowserSession, col(BrowserSession.user_id) == User.id)
                .where(
                    User.id == uid,
                    BrowserSession.key_hash == key_hash,
                    col(BrowserSession.ended_at).is_(None),
                )
            ).first()
            return found.session_epoch if found and found.active else None

        uid = session_user_id(request, epoch_of, settings)
        user = checked[0] if uid is not None else None
    if user is None or not user.active:
        raise LoginRequired()
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing browser request without the session's CSRF token."""
    if request.method in SAFE_METHODS or request.headers.get("authorization"):
        return
    submitted = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if submitted is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_valid(request, submitted):
        raise Forbidden(
            "The form expired or did not come from Assay. Reload the page and try again."
        )


def require(permission: Permission):
    """Dependency factory: the caller must hold `permission` (403 otherwise)."""

    async def check(user: CurrentUser) -> User:  # no I/O: no trip through the thread pool
        if not has_permission(user.role, permission):
            raise Forbidden(refusal_message(user.role, permission))
        return user

    check.__name__ = f"require_{permission.value}"
    check.permission = permission  # type: ignore[attr-defined]  # read by the route-walk test
    return Depends(check)
