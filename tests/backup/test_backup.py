"""Backups and restores: a populated database and evidence store survive losing the originals,
and a tampered backup or an occupied target is refused before anything is touched."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, func, select

from app.audit.service import record
from app.backup.service import BackupError, create_backup, restore_backup
from app.cli import main
from app.db import dispose_engines, make_engine
from app.migrations import upgrade
from app.models import AuditEvent, Organisation


def _evidence_hashes(root: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file() and "incoming" not in path.parts
    }


def _destroy_sqlite(settings) -> None:
    dispose_engines()
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(settings.evidence_dir)
    assert not database.exists()


def _tables(settings) -> list[str]:
    database = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]


def _sqlite_only(settings) -> None:
    if not settings.is_sqlite:
        pytest.skip("SQLite backup flow; PostgreSQL has its own test")


def test_backup_then_lose_everything_then_restore(
    cli_env, settings, engine, populated, tmp_path, capsys
):
    _sqlite_only(settings)
    backup = tmp_path / "backup"
    assert main(["backup", str(backup)]) == 0
    assert "3 evidence file(s)" in capsys.readouterr().out

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["alembic_revision"] == upgrade_head()
    assert manifest["assay_version"] and manifest["created_at"]
    assert manifest["database"] == {"dialect": "sqlite", "file": "assay.db"}
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((backup / name).read_bytes()).hexdigest() == entry["sha256"]
    assert not any("incoming" in name for name in manifest["files"])
    [head] = manifest["audit_heads"].values()
    assert head["sequence"] == 3

    originals = _evidence_hashes(settings.evidence_dir)
    engine.dispose()
    _destroy_sqlite(settings)

    assert main(["restore", str(backup)]) == 0
    assert "assay audit verify" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "1 chain(s), 3 event(s), intact" in capsys.readouterr().out
    restored = _evidence_hashes(settings.evidence_dir)
    assert restored == originals and len(restored) == 3
    assert all(name == digest for name, digest in restored.items())  # content-addressed
    with Session(make_engine(settings.database_url)) as fresh:
        assert fresh.exec(select(Organisation.name)).one() == "Harbourvale Bank"


def upgrade_head() -> str:
    from alembic.script import ScriptDirectory

    from app.migrations import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.mark.parametrize(
    "tampering, message",
    [
        ("evidence", "altered (SHA-256 does not match the manifest)"),
        ("database", "assay.db: altered"),
        ("missing", ": missing"),
        ("extra", "evidence/planted.exe: not listed in the manifest"),
    ],
)
def test_a_tampered_backup_is_refused_before_anything_changes(
    cli_env, settings, engine, populated, tmp_path, capsys, tampering, message
):
    _sqlite_only(settings)
    backup = tmp_path / "backup"
    create_backup(settings=settings, engine=engine, directory=backup)
    blob = next(p for p in (backup / "evidence").rglob("*") if p.is_file())
    if tampering == "evidence":
        blob.write_bytes(blob.read_bytes() + b" forged")
    elif tampering == "database":
        with open(backup / "assay.db", "r+b") as handle:
            handle.seek(5000)
            handle.write(b"\x00forged\x00")
    elif tampering == "missing":
        blob.unlink()
    else:
        (backup / "evidence" / "planted.exe").write_bytes(b"MZ")
    engine.dispose()
    _destroy_sqlite(settings)
    assert main(["restore", str(backup), "--force"]) == 1
    err = capsys.readouterr().err
    assert "failed verification; nothing was restored" in err and message in err
    assert _tables(settings) == []  # (the CLI's connection check may create an empty file)
    assert not settings.evidence_dir.exists()


def test_a_directory_without_manifest_is_not_a_backup(cli_env, tmp_path, capsys):
    (tmp_path / "junk").mkdir()
    assert main(["restore", str(tmp_path / "junk")]) == 1
    assert "not an Assay backup" in capsys.readouterr().err


def test_restore_refuses_to_overwrite_data_without_force(
    cli_env, settings, engine, session, populated, tmp_path, capsys
):
    backup = tmp_path / "backup"
    create_backup(settings=settings, engine=engine, directory=backup)
    later = record(session=session, action="vendor.deleted", actor=populated["user"])
    session.commit()
    session.close()
    with pytest.raises(BackupError, match="already hold data; restore with --force"):
        restore_backup(settings=settings, engine=engine, directory=backup)
    with Session(engine) as fresh:  # untouched
        assert fresh.exec(select(func.count()).select_from(AuditEvent)).one() == 4
    restore_backup(settings=settings, engine=engine, directory=backup, force=True)
    with Session(engine) as fresh:
        assert fresh.exec(select(func.count()).select_from(AuditEvent)).one() == 3
        assert fresh.get(AuditEvent, later.id) is None
    assert main(["audit", "verify"]) == 0


def test_backup_refuses_a_non_empty_directory(cli_env, settings, engine, tmp_path, capsys):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    assert main(["backup", str(tmp_path / "used")]) == 1
    assert "not an empty directory" in capsys.readouterr().err
    assert (tmp_path / "used" / "notes.txt").read_text() == "keep me"


def test_restore_into_a_freshly_migrated_database_needs_no_force(
    settings, engine, populated, tmp_path
):
    _sqlite_only(settings)
    backup = tmp_path / "backup"
    create_backup(settings=settings, engine=engine, directory=backup)
    target = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'new.db'}", "data_dir": tmp_path / "new"}
    )
    new_engine = make_engine(target.database_url)
    upgrade(new_engine)
    restore_backup(settings=target, engine=new_engine, directory=backup)
    assert _evidence_hashes(target.evidence_dir) == _evidence_hashes(settings.evidence_dir)
    with Session(new_engine) as fresh:
        assert fresh.exec(select(func.count()).select_from(AuditEvent)).one() == 3
    new_engine.dispose()


def test_postgresql_backup_and_restore_with_pg_dump(settings, engine, session, populated, tmp_path):
    if settings.is_sqlite:
        pytest.skip("pg_dump/pg_restore apply to PostgreSQL only")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not on PATH")
    backup = tmp_path / "backup"
    summary = create_backup(settings=settings, engine=engine, directory=backup)
    assert summary.manifest["database"] == {"dialect": "postgresql", "file": "assay.dump"}
    assert (backup / "assay.dump").read_bytes().startswith(b"PGDMP")
    originals = _evidence_hashes(settings.evidence_dir)

    with pytest.raises(BackupError, match="already hold data"):
        restore_backup(settings=settings, engine=engine, directory=backup)
    # lose everything: every row and every evidence file
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    shutil.rmtree(settings.evidence_dir)

    restore_backup(settings=settings, engine=engine, directory=backup)
    assert _evidence_hashes(settings.evidence_dir) == originals
    with Session(engine) as fresh:
        assert fresh.exec(select(Organisation.name)).one() == "Harbourvale Bank"
        from app.audit.service import verify

        report = verify(session=fresh)
        assert report.ok and report.events == 3
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM auditevent"))  # the restored trigger still guards it
