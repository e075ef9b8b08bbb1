"""Engine, naming conventions and the unit of work.

`session_scope` / the `get_session` dependency are the only places that commit: services flush,
the request (or CLI command) commits once at the end or rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, MetaData, event, text
from sqlalchemy.engine import make_url
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


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
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


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _refuse_nul(conn, cursor, statement, parameters, context, executemany) -> None:
    """PostgreSQL cannot store NUL in text (the request would fail half-way with a 500): refuse
    it on every database, whichever form, API or file brought it in."""
    if _has_nul(parameters):
        raise InvalidInput(
            "The text contains a NUL character (\\0), which cannot be stored. "
            "Remove it and try again."
        )


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
    event.listen(engine, "before_cursor_execute", _refuse_nul)
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
