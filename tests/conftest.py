"""Test harness: every test gets its own migrated database, data directory and client.

SQLite (default): the schema is migrated once into a template file and copied per test.
PostgreSQL (ASSAY_TEST_DATABASE_URL): the schema is rebuilt from migrations once per run and
every table is truncated after each test.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

_RUN_DIR = Path(tempfile.mkdtemp(prefix="assay-tests-"))
os.environ["ASSAY_PASSWORD_HASH_FAST"] = "1"
os.environ["ASSAY_BACKGROUND_TASKS"] = "0"  # no periodic outbox/reminder task under TestClient
os.environ["ASSAY_DATA_DIR"] = str(_RUN_DIR / "default-data")
# The default database is this process's own unless the caller chose one; a test process of
# pytest-xdist inherits its parent's, which is no choice (two processes would migrate one file).
if os.environ.get("ASSAY_DATABASE_URL") in (None, os.environ.get("ASSAY_TEST_OWN_DATABASE_URL")):
    os.environ["ASSAY_DATABASE_URL"] = f"sqlite:///{_RUN_DIR / 'default.db'}"
    os.environ["ASSAY_TEST_OWN_DATABASE_URL"] = os.environ["ASSAY_DATABASE_URL"]

import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, make_url, text  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402
from starlette.datastructures import State  # noqa: E402

from app.config import Settings, load_settings  # noqa: E402
from app.db import dispose_engines, make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from tests.worlds import BuyerWithVendor, make_buyer_with_vendor  # noqa: E402

POSTGRES_URL = os.environ.get("ASSAY_TEST_DATABASE_URL")


def pytest_unconfigure() -> None:
    """The run directory of a process that ran no test (pytest-xdist's controller)."""
    shutil.rmtree(_RUN_DIR, ignore_errors=True)


def pytest_sessionfinish() -> None:
    """Collect the run's garbage now, then freeze what is left, so the process ends quickly.

    A pytest-xdist worker is told to end as soon as it reports its session finished, and
    execnet interrupts it (SIGINT) if it has not ended 5 s later. pytest's last garbage
    collections walked the 1.4 million objects a worker holds by then (1 to 3 s, longer on a
    busy machine), and the interrupt landed in hypothesis's gc callback: a
    PytestUnraisableExceptionWarning about a KeyboardInterrupt. This hook runs before the worker
    reports (xdist wraps it); what it collects is still checked for unraisable exceptions, and
    the collections after it skip the frozen objects.
    """
    gc.collect()
    gc.freeze()


def pytest_report_header() -> str:
    return (
        f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite (temporary files)'}"
    )


@pytest.fixture(scope="session")
def _migrated_template() -> Iterator[str]:
    """Run every migration once; yield what each test copies or cleans."""
    if POSTGRES_URL:
        url = _create_run_database(POSTGRES_URL)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        _drop_run_database(POSTGRES_URL, url)
    else:
        template = _RUN_DIR / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()  # closing the last connection checkpoints the WAL into the file
        yield str(template)
    shutil.rmtree(_RUN_DIR, ignore_errors=True)


def _create_run_database(admin_url: str) -> str:
    """A database of this run's own (so parallel runs never meet), built from migrations."""
    name = f"assay_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_run_database(admin_url: str, url: str) -> None:
    dispose_engines()
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path) -> Iterator[str]:
    if POSTGRES_URL:
        yield _migrated_template
        _truncate_all(_migrated_template)
    else:
        target = tmp_path / "assay.db"
        shutil.copy(_migrated_template, target)
        yield f"sqlite:///{target}"


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-" + "x" * 32,
        password_hash_fast=True,
        smtp_port=1,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session for arranging data and calling services directly; tests commit explicitly."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


# Apps built in this process, by the settings their middleware keeps (see `app`).
_APPS: dict[tuple, FastAPI] = {}


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    """The application on this test's database and settings.

    Building one takes about half a second (FastAPI prepares every route's dependencies), most
    of the suite's time when done per test. So a process builds it once per middleware setting
    (secret key, HTTPS, session age) and each test gets it with a fresh `app.state` holding its
    own settings and engine, and no dependency overrides: requests read both from the state, and
    the database and data directory are the test's own. With background tasks on, whose loop
    keeps the engine it started with, the test gets an app of its own."""
    key = (settings.resolved_secret_key(), settings.https, settings.session_absolute_hours)
    application = None if settings.background_tasks else _APPS.get(key)
    if application is None:
        application = create_app(settings, engine)
        if not settings.background_tasks:
            _APPS[key] = application
    application.state = State()
    application.state.settings = settings
    application.state.engine = engine
    application.state.migrate_on_start = False
    application.dependency_overrides.clear()
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def rival(session: Session) -> BuyerWithVendor:
    """A second tenant (Rival Bank and its vendor), for tests that keep tenants apart."""
    world = make_buyer_with_vendor(session, "Rival Bank", "Rival Supplier Ltd")
    session.commit()
    return world
