"""Consistent backups (database + evidence store + manifest) and restores that check them first.

A backup directory holds the database (`assay.db`, an SQLite online-backup copy, or
`assay.dump`, a `pg_dump --format=custom` archive), `evidence/` (every stored evidence file) and
`manifest.json`: the SHA-256 of every file, the Alembic revision, the Assay version, when it was
taken and the head of every audit chain. The database is copied before the evidence store:
evidence files are content-addressed and written before the rows that reference them commit, so
every file the backed-up database references is in the copy.

A restore verifies every hash first and touches nothing if one file is missing, altered or
extra; it refuses to overwrite a database or evidence store that holds data unless forced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import URL, make_url

from app import __version__
from app.config import Settings
from app.models import AuditChain, AuditEvent, utcnow
from app.serving import DatabaseInUse, database_to_myself

MANIFEST = "manifest.json"
SQLITE_FILE = "assay.db"
POSTGRES_FILE = "assay.dump"
EVIDENCE = "evidence"
FORMAT = 1
SKIPPED_EVIDENCE = ("incoming",)  # partial uploads, never referenced
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    directory: Path
    manifest: dict[str, Any]
    manifest_sha256: str

    @property
    def evidence_files(self) -> int:
        return sum(1 for name in self.manifest["files"] if name.startswith(EVIDENCE + "/"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() or path.is_symlink():
            yield path


def _has_files(directory: Path) -> bool:
    if not directory.is_dir():
        return False
    return any(
        path.relative_to(directory).parts[0] not in SKIPPED_EVIDENCE
        for path in _files_under(directory)
    )


def _dialect(settings: Settings) -> str:
    return make_url(settings.database_url).get_backend_name()


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _libpq(settings: Settings) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, which goes in the environment instead
    (never on a command line that `ps` shows)."""
    url: URL = make_url(settings.database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools of the server's major "
            "version (Debian/Ubuntu: postgresql-client)"
        )
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            f"{Path(command[0]).name} failed: {detail[-1] if detail else result.returncode}"
        )


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _audit_heads(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(AuditChain.chain, AuditChain.sequence, AuditChain.head_hash))
        return {chain: {"sequence": seq, "hash": head} for chain, seq, head in rows}


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the app is writing (WAL included)."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        (status,) = dst.execute("PRAGMA integrity_check").fetchone()
        if status != "ok":
            raise BackupError(f"the copy of {source} failed SQLite's integrity check: {status}")
    finally:
        dst.close()
        src.close()


def create_backup(*, settings: Settings, engine: Engine, directory: Path) -> BackupSummary:
    """Write a backup into `directory` (new or empty) and return its manifest."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} is not an empty directory; choose a new one")
    dialect = _dialect(settings)
    if dialect == "postgresql":
        pg_dump = _tool("pg_dump")
    else:
        source = _sqlite_path(settings)
        if not source.is_file():
            raise BackupError(f"there is no SQLite database at {source}")
    revision = _revision(engine)
    heads = _audit_heads(engine)  # read before the copy: the copy holds at least these events
    directory.mkdir(parents=True, exist_ok=True)
    if dialect == "postgresql":
        database_file = POSTGRES_FILE
        conninfo, env = _libpq(settings)
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                f"--file={directory / POSTGRES_FILE}",
                conninfo,
            ],
            env,
        )
    else:
        database_file = SQLITE_FILE
        _sqlite_copy(source, directory / SQLITE_FILE)
    evidence = directory / EVIDENCE
    if settings.evidence_dir.is_dir():
        shutil.copytree(
            settings.evidence_dir, evidence, ignore=shutil.ignore_patterns(*SKIPPED_EVIDENCE)
        )
    else:
        evidence.mkdir()
    manifest = {
        "format": FORMAT,
        "assay_version": __version__,
        "created_at": utcnow().isoformat(timespec="seconds"),
        "database": {"dialect": dialect, "file": database_file},
        "alembic_revision": revision,
        "audit_heads": heads,
        "files": {
            path.relative_to(directory).as_posix(): {
                "sha256": sha256_of(path),
                "size": path.stat().st_size,
            }
            for path in _files_under(directory)
        },
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (directory / MANIFEST).write_text(text, encoding="utf-8")
    return BackupSummary(directory, manifest, hashlib.sha256(text.encode()).hexdigest())


def read_verified_manifest(directory: Path) -> dict[str, Any]:
    """The manifest, once every file it lists matches its hash and nothing else is there."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: it is not an Assay backup")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files: dict[str, dict[str, Any]] = manifest["files"]
        database = manifest["database"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path} is not a readable backup manifest ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has backup format {manifest.get('format')!r}, not {FORMAT}")
    problems: list[str] = []
    root = directory.resolve()
    for name, expected in sorted(files.items()):
        candidate = (directory / name).resolve()
        if not candidate.is_relative_to(root):
            problems.append(f"{name}: outside the backup directory")
        elif not candidate.is_file():
            problems.append(f"{name}: missing")
        elif sha256_of(candidate) != expected.get("sha256"):
            problems.append(f"{name}: altered (SHA-256 does not match the manifest)")
    for extra in _files_under(directory):
        name = extra.relative_to(directory).as_posix()
        if name != MANIFEST and name not in files:
            problems.append(f"{name}: not listed in the manifest")
    if database.get("file") not in files:
        problems.append(f"{database.get('file')}: the database file is not in the manifest")
    if problems:
        raise BackupError(
            f"the backup in {directory} failed verification; nothing was restored:\n  "
            + "\n  ".join(problems)
        )
    return manifest


def _database_has_data(engine: Engine) -> bool:
    """Any row in any table but Alembic's bookkeeping (a freshly migrated database is empty)."""
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            if name == "alembic_version":
                continue
            if conn.execute(select(func.count()).select_from(table(name))).scalar():
                return True
    return False


def _check_audit_heads(engine: Engine, heads: dict[str, dict[str, Any]]) -> list[str]:
    """Every audit chain head recorded in the manifest must be in the restored database."""
    problems = []
    with engine.connect() as conn:
        for chain, head in heads.items():
            found = conn.execute(
                select(AuditEvent.hash).where(
                    AuditEvent.chain == chain, AuditEvent.sequence == head["sequence"]
                )
            ).scalar()
            if head["sequence"] and found != head["hash"]:
                problems.append(f"audit chain {chain} #{head['sequence']} is not the backed-up one")
    return problems


def restore_backup(
    *, settings: Settings, engine: Engine, directory: Path, force: bool = False
) -> dict[str, Any]:
    """Verify the backup in `directory`, then restore the database and the evidence store."""
    directory = Path(directory)
    manifest = read_verified_manifest(directory)
    dialect = manifest["database"]["dialect"]
    if dialect != _dialect(settings):
        raise BackupError(
            f"this is a {dialect} backup but ASSAY_DATABASE_URL is a {_dialect(settings)} database"
        )
    if dialect == "postgresql":
        _tool("pg_restore")
    else:
        _sqlite_path(settings)
        _check_sqlite_file(directory / manifest["database"]["file"])
    try:
        with database_to_myself(settings.database_url, engine):
            _restore(settings, engine, directory, manifest, force)
    except DatabaseInUse as exc:
        raise BackupError(f"{exc}; nothing was restored") from None
    return manifest


def _check_sqlite_file(path: Path) -> None:
    """A database file that passed its hash can still be damaged (backed up damaged, or the
    manifest rewritten): refuse it in one line before anything is touched."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            (status,) = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        status = str(exc)
    if status != "ok":
        raise BackupError(
            f"the database in the backup ({path.name}) is damaged: {status.splitlines()[0]}; "
            "nothing was restored"
        )


def _restore(
    settings: Settings, engine: Engine, directory: Path, manifest: dict[str, Any], force: bool
) -> None:
    """The restore proper, once the backup is verified and nobody else uses the database."""
    dialect = manifest["database"]["dialect"]
    database_file = directory / manifest["database"]["file"]
    target = _sqlite_path(settings) if dialect == "sqlite" else None
    if not force:
        occupied = []
        if (target is None or target.exists()) and _database_has_data(engine):
            occupied.append(f"the database ({make_url(settings.database_url).render_as_string()})")
        if _has_files(settings.evidence_dir):
            occupied.append(f"the evidence store ({settings.evidence_dir})")
        if occupied:
            raise BackupError(
                " and ".join(occupied) + " already hold data; restore with --force to replace it"
            )
    engine.dispose()  # no pooled connection may hold the old database open
    if dialect == "postgresql":
        conninfo, env = _libpq(settings)
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={conninfo}",
                str(database_file),
            ],
            env,
        )
    else:
        assert target is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(database_file, target)
    _restore_evidence(directory / EVIDENCE, settings.evidence_dir, manifest)
    problems = _check_audit_heads(engine, manifest.get("audit_heads", {}))
    if problems:
        raise BackupError(
            "restored, but the database does not match the manifest: " + "; ".join(problems)
        )


def _restore_evidence(source: Path, target: Path, manifest: dict[str, Any]) -> None:
    """Copy beside the target, check every hash, then swap it in."""
    staging = target.with_name(f".{target.name}.restoring")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    prefix = EVIDENCE + "/"
    for name, expected in manifest["files"].items():
        if name.startswith(prefix):
            copied = staging / name.removeprefix(prefix)
            if sha256_of(copied) != expected["sha256"]:
                shutil.rmtree(staging, ignore_errors=True)
                raise BackupError(f"{name} changed while it was being restored")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
