"""A restore never runs under a live server, and a damaged database in a backup is refused in
one line before anything is touched."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, func, select

from app.backup.service import BackupError, create_backup, restore_backup
from app.cli import main
from app.db import make_engine
from app.models import AuditEvent, Organisation
from app.serving import DatabaseInUse, serving


def _orgs(settings) -> int:
    engine = make_engine(settings.database_url)
    with Session(engine) as fresh:
        count = fresh.exec(select(func.count()).select_from(Organisation)).one()
    engine.dispose()
    return count


def test_restore_refuses_while_a_server_serves_the_database(
    cli_env, app, settings, engine, populated, tmp_path, capsys
):
    if not settings.is_sqlite:
        pytest.skip("the PostgreSQL signal has its own test")
    backup = tmp_path / "backup"
    create_backup(settings=settings, engine=engine, directory=backup)
    with TestClient(app):  # the app's lifespan: a serving process
        assert main(["restore", str(backup), "--force"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("assay: error: an Assay server is using this database")
        assert err.count("\n") == 1 and "nothing was restored" in err
    assert _orgs(settings) == 1
    engine.dispose()  # the server's pool, closed as its process would on exit
    assert main(["restore", str(backup), "--force"]) == 0  # server gone: the restore runs


def test_a_server_cannot_start_while_a_restore_holds_the_database(settings, engine):
    from app.serving import database_to_myself

    if not settings.is_sqlite:
        pytest.skip("SQLite lock file")
    refused = pytest.raises(DatabaseInUse, match="a restore is replacing the database")
    with database_to_myself(settings.database_url, engine), refused, serving(settings.database_url):
        pass
    with serving(settings.database_url), serving(settings.database_url):
        pass  # several workers serve side by side


def test_restore_refuses_while_someone_else_is_connected_to_postgresql(
    settings, engine, populated, tmp_path
):
    if settings.is_sqlite:
        pytest.skip("pg_stat_activity")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not on PATH")
    backup = tmp_path / "backup"
    create_backup(settings=settings, engine=engine, directory=backup)
    server = make_engine(settings.database_url)  # stands in for a running server's pool
    with server.connect() as conn:
        conn.execute(text("SELECT 1"))
        with pytest.raises(BackupError, match=r"1 other session\(s\) are connected"):
            restore_backup(settings=settings, engine=engine, directory=backup, force=True)
    server.dispose()
    with Session(engine) as fresh:
        assert fresh.exec(select(func.count()).select_from(AuditEvent)).one() == 3
    restore_backup(settings=settings, engine=engine, directory=backup, force=True)


def _rehash(backup, name: str) -> None:
    """Rewrite the manifest so the damaged file passes the hash check (as a backup taken of a
    damaged database would)."""
    manifest = json.loads((backup / "manifest.json").read_text())
    content = (backup / name).read_bytes()
    manifest["files"][name] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    (backup / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "pages"])
def test_a_damaged_database_in_a_backup_is_refused_in_one_line(
    cli_env, settings, engine, populated, tmp_path, capsys, damage
):
    if not settings.is_sqlite:
        pytest.skip("SQLite file")
    backup = tmp_path / "backup"
    create_backup(settings=settings, engine=engine, directory=backup)
    database = backup / "assay.db"
    content = database.read_bytes()
    if damage == "garbage":
        database.write_bytes(b"this is not a database at all" * 100)
    elif damage == "truncated":
        database.write_bytes(content[:1024])
    else:
        database.write_bytes(content[:4096] + b"\xff" * 4096 + content[8192:])
    _rehash(backup, "assay.db")
    engine.dispose()
    assert main(["restore", str(backup), "--force"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("assay: error: the database in the backup (assay.db) is damaged: ")
    assert err.count("\n") == 1 and "Traceback" not in err and "nothing was restored" in err
    assert _orgs(settings) == 1  # the current database is untouched
