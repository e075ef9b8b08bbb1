"""Engine, naming conventions and the unit of work.

`session_scope` (CLI) and the `get_session` dependency (a request) are the only places that
commit: services flush, the request or command commits once at the end or rolls everything back.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import anyio
from anyio import CapacityLimiter, Lock
from anyio.lowlevel import RunVar
from fastapi import Depends, Request
from sqlalchemy import Engine, MetaData, event, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine

from app.errors import InvalidInput

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

_engines: dict[str, Engine] = {}


# FULL: a save the user saw acknowledged survives a power loss, not only a process crash (WAL
# with NORMAL may lose the last commits). bench/durability.py measured its cost against the
# autosave goal (bench/RESULTS.md); ASSAY_SQLITE_SYNCHRONOUS exists for that comparison.
SQLITE_SYNCHRONOUS = ("FULL", "NORMAL", "EXTRA")


def sqlite_synchronous() -> str:
    value = os.environ.get("ASSAY_SQLITE_SYNCHRONOUS", "FULL").upper()
    if value not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"ASSAY_SQLITE_SYNCHRONOUS: use one of {', '.join(SQLITE_SYNCHRONOUS)}")
    return value


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute(f"PRAGMA synchronous={sqlite_synchronous()}")  # one of three fixed words
    cursor.close()


def _sqlite_begin(conn) -> None:
    """Writers take the lock up front (BEGIN IMMEDIATE): a read-then-write transaction can then
    wait on busy_timeout instead of failing; readers stay DEFERRED so they never block writers."""
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


WRITE_OPTION = "assay_write"


def begin_write(session: Session) -> None:
    """Mark the session's transaction as a writer (IMMEDIATE on SQLite; no-op elsewhere)."""
    session.connection(execution_options={WRITE_OPTION: True})


def writer(engine: Engine) -> Engine:
    """The engine whose transactions begin as writers: a session bound to it takes SQLite's
    write lock with its first statement (`begin_write` takes it at once)."""
    return engine.execution_options(**{WRITE_OPTION: True})


INT_RANGE = range(-(2**31), 2**31)  # INTEGER on PostgreSQL: the narrowest id column we use
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(value: object) -> str | None:
    """Why a bound parameter cannot be stored or compared on every supported database, or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return "The text contains a NUL character (\\0), which cannot be stored."
        if _SURROGATE.search(value):
            return "The text is not valid Unicode (it contains a lone surrogate)."
    elif isinstance(value, int) and not isinstance(value, bool):
        if value not in INT_RANGE:
            return f"A number is out of range (at most {INT_RANGE.stop - 1:,})."
    elif isinstance(value, Mapping):
        return next(filter(None, map(unstorable, value.values())), None)
    elif isinstance(value, list | tuple):
        return next(filter(None, map(unstorable, value)), None)
    return None


def _refuse_unstorable(conn, cursor, statement, parameters, context, executemany) -> None:
    """Refuse what one database would store and another reject half-way through a request (a 500):
    NUL in text (PostgreSQL), lone surrogates (both drivers), integers past 32 bits (an id typed
    into a URL or a form; PostgreSQL's INTEGER, SQLite's 64 bits). Whatever brought it in."""
    reason = unstorable(parameters)
    if reason is not None:
        raise InvalidInput(f"{reason} Correct it and try again.")


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, pool_size=20
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        _disable_pysqlite_autobegin(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    event.listen(engine, "before_cursor_execute", _refuse_unstorable)
    return engine


def _disable_pysqlite_autobegin(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the process."""
    if url is None:
        from app.config import get_settings

        url = get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


# --- the unit of work of a request ------------------------------------------------------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_SQLITE_WRITER: RunVar[Lock] = RunVar("assay_sqlite_writer")


@contextlib.asynccontextmanager
async def sqlite_writer_turn(request: Request) -> AsyncIterator[None]:
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


async def _turn_if_writing(request: Request) -> AsyncIterator[None]:
    """For `get_session`: a turn when the method writes."""
    if request.method in SAFE_METHODS:
        yield
        return
    async with sqlite_writer_turn(request):
        yield


async def _turn_always(request: Request) -> AsyncIterator[None]:
    """For `get_write_session`: always a turn."""
    async with sqlite_writer_turn(request):
        yield


@contextlib.asynccontextmanager
async def unit_of_work(request: Request, *, writes: bool) -> AsyncIterator[Session]:
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
            reloaded = fresh.get(type(user), sa_inspect(user).identity[0])
            if reloaded is not None:
                fresh.expunge(reloaded)
        request.state.user = reloaded


async def get_session(
    request: Request, _turn: Annotated[None, Depends(_turn_if_writing, scope="function")]
) -> AsyncIterator[Session]:
    """The unit of work of one request: commit at the end, roll back on any error."""
    async with unit_of_work(request, writes=request.method not in SAFE_METHODS) as session:
        yield session


async def get_write_session(
    request: Request, _turn: Annotated[None, Depends(_turn_always, scope="function")]
) -> AsyncIterator[Session]:
    """For the few GET routes that write (an export records an audit event)."""
    async with unit_of_work(request, writes=True) as session:
        yield session
