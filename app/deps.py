"""Request dependencies: the database session, the caller, and permission checks.

Routes are authenticated by default (the protected router depends on `current_user`), CSRF is
checked for every state-changing browser request, and `require(permission)` is the one place a
route states what it needs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Annotated

import anyio
from anyio import CapacityLimiter, Lock
from anyio.lowlevel import RunVar
from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy import Engine, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.auth.permissions import Permission, has_permission
from app.auth.sessions import CSRF_FIELD, CSRF_HEADER, csrf_valid, session_user_id
from app.config import Settings, get_settings
from app.db import get_engine, writer
from app.errors import Forbidden, LoginRequired
from app.models import ApiToken, User, utcnow
from app.security import token_hash

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


_SQLITE_WRITER: RunVar[Lock] = RunVar("assay_sqlite_writer")


@contextlib.asynccontextmanager
async def _sqlite_writer(request: Request) -> AsyncIterator[None]:
    """Hold this event loop's SQLite writer turn for the block (once per request).

    SQLite has one writer at a time. A writing request waiting for the lock inside BEGIN
    IMMEDIATE would hold a worker thread; with as many waiting writers as the thread pool has
    threads (40), the request holding the lock finds no thread for its route and every waiter
    fails after the busy timeout. Waiting here, on the event loop, costs no thread."""
    if request.app.state.engine.dialect.name != "sqlite" or getattr(
        request.state, "sqlite_writer", False
    ):
        yield
        return
    try:
        lock = _SQLITE_WRITER.get()
    except LookupError:
        lock = Lock()
        _SQLITE_WRITER.set(lock)
    async with lock:
        request.state.sqlite_writer = True
        try:
            yield
        finally:
            request.state.sqlite_writer = False


async def _writer_turn(request: Request) -> AsyncIterator[None]:
    """For `get_session`: a turn when the method writes."""
    if request.method in SAFE_METHODS:
        yield
        return
    async with _sqlite_writer(request):
        yield


async def _write_session_turn(request: Request) -> AsyncIterator[None]:
    """For `get_write_session`: always a turn."""
    async with _sqlite_writer(request):
        yield


@contextlib.asynccontextmanager
async def _unit_of_work(request: Request, *, writes: bool) -> AsyncIterator[Session]:
    """A session committed at the end and rolled back on any error.

    Opening it does no I/O: its first statement takes the connection (a writer's BEGIN
    IMMEDIATE with it) in the thread that runs that statement, and only the end goes through
    the thread pool. Each trip through the pool costs a loaded server a scheduling delay."""
    engine = request.app.state.engine
    session = Session(writer(engine) if writes else engine, expire_on_commit=False)
    try:
        yield session
        await _finish(session.commit)
    except BaseException:
        await _finish(_rollback_keeping_user, request, session)
        raise
    finally:
        session.close()  # the commit or rollback has released the connection already


async def _finish(end: Callable[..., None], *args: object) -> None:
    """Run a unit of work's end in a thread outside the thread pool's limit, as FastAPI runs a
    dependency's exit: the end releases row locks and connections that requests occupying the
    pool's threads wait for, so waiting for a free thread could deadlock."""
    await anyio.to_thread.run_sync(end, *args, limiter=CapacityLimiter(1))


async def get_session(
    request: Request, _turn: Annotated[None, Depends(_writer_turn, scope="function")]
) -> AsyncIterator[Session]:
    """The unit of work of one request: commit at the end, roll back on any error."""
    async with _unit_of_work(request, writes=request.method not in SAFE_METHODS) as session:
        yield session


async def get_write_session(
    request: Request, _turn: Annotated[None, Depends(_write_session_turn, scope="function")]
) -> AsyncIterator[Session]:
    """For the few GET routes that write (an export records an audit event)."""
    async with _unit_of_work(request, writes=True) as session:
        yield session


def _rollback_keeping_user(request: Request, session: Session) -> None:
    """Roll back, but keep the caller loaded: the error page still shows who is signed in
    (a rollback expires every instance, and the session is closed when the page renders)."""
    user = getattr(request.state, "user", None)
    if user is not None and user in session:
        session.expunge(user)
    session.rollback()
    if user is not None and sa_inspect(user).expired_attributes:
        # The failure was inside flush or commit, which had expired everything already: without
        # a fresh copy the error page itself would fail and the client get no answer at all.
        reloaded = None
        with contextlib.suppress(SQLAlchemyError), Session(request.app.state.engine) as fresh:
            reloaded = fresh.get(User, sa_inspect(user).identity[0])
            if reloaded is not None:
                fresh.expunge(reloaded)
        request.state.user = reloaded


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


def _user_from_bearer(session: Session, header: str, background: BackgroundTasks) -> User | None:
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
        user = _user_from_bearer(session, authorization, background)
        request.state.via_token = user is not None
    else:
        # The row read to check the session's epoch is the caller: keep it, or the session's
        # weakly-referencing identity map drops it and the user is read a second time.
        checked: list[User | None] = [None]

        def epoch_of(uid: int) -> int | None:
            found = checked[0] = session.get(User, uid)
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
            raise Forbidden("Your role does not allow this.")
        return user

    check.__name__ = f"require_{permission.value}"
    check.permission = permission  # type: ignore[attr-defined]  # read by the route-walk test
    return Depends(check)


def engine_of(request: Request):
    return getattr(request.app.state, "engine", None) or get_engine()
