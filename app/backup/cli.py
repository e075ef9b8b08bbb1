"""`assay backup DIR` and `assay restore DIR [--force]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands import CommandError, connect
from app.config import load_settings


def cmd_backup(args: argparse.Namespace) -> None:
    from app.backup.service import BackupError, create_backup

    settings = load_settings()
    try:
        summary = create_backup(settings=settings, engine=connect(settings), directory=args.dir)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    manifest = summary.manifest
    print(
        f"Backup written to {summary.directory}: {manifest['database']['dialect']} database at "
        f"revision {manifest['alembic_revision']}, {summary.evidence_files} evidence file(s)."
    )
    print(f"manifest.json SHA-256: {summary.manifest_sha256} (keep it apart from the backup)")


def cmd_restore(args: argparse.Namespace) -> None:
    from app.backup.service import BackupError, restore_backup

    settings = load_settings()
    try:
        manifest = restore_backup(
            settings=settings, engine=connect(settings), directory=args.dir, force=args.force
        )
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"Restored the backup of {manifest['created_at']} (Assay {manifest['assay_version']}, "
        f"revision {manifest['alembic_revision']}). Next: `assay db upgrade`, "
        "`assay audit verify`, `assay evidence verify`."
    )


def register(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser(
        "backup", help="consistent copy of the database and evidence store, with a manifest"
    )
    backup.add_argument("dir", type=Path, help="a new or empty directory")
    backup.set_defaults(func=cmd_backup)

    restore = commands.add_parser(
        "restore", help="verify a backup's hashes, then restore database and evidence store"
    )
    restore.add_argument("dir", type=Path, help="a directory written by `assay backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database or evidence store holding data"
    )
    restore.set_defaults(func=cmd_restore)
