"""Where evidence files live: a content-addressed blob store behind a small interface.

A blob's key is the SHA-256 of its bytes, so the same file uploaded twice (by one vendor or by
several) is kept once, and `assay evidence verify` can re-hash every blob against its key.

`LocalEvidenceStore` keeps blobs on one disk (`<root>/ab/cd/<sha256>`). Writes go to a temporary
file under `<root>/incoming/` (same file system), are fsynced, checked, and only then renamed into
place atomically, so a crash or a refused upload never leaves a partial blob under a real key;
the temporary file a killed process leaves behind is swept by a later upload once it is stale.

For several application servers, add a backend implementing `EvidenceStore` over a shared object
store (S3, Azure Blob, GCS): `put_stream` spools to a local temporary file while hashing, runs
`check` on it, then uploads it under its hash key with a conditional put ("if none match");
`open` returns a streaming body. Install it on `app.state.evidence_store`; see docs/evidence.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from app.config import Settings

KEY_PATTERN = re.compile(r"^[0-9a-f]{64}$")
READ_CHUNK = 256 * 1024
STALE_UPLOAD_SECONDS = 24 * 3600  # an upload's temporary file untouched this long is abandoned

Check = Callable[[BinaryIO], None]


@dataclass(frozen=True)
class StoredBlob:
    """A stored file: its hash, size and the key to read it back (`created`: new in this put)."""

    sha256: str
    size: int
    storage_key: str
    created: bool = False


class EvidenceStore(Protocol):
    """Content-addressed storage for evidence files."""

    def put_stream(self, chunks: Iterable[bytes], *, check: Check | None = None) -> StoredBlob:
        """Store the bytes of `chunks`; `check(file)` may refuse them before they become visible.

        If iterating `chunks` or `check` raises, nothing is kept and the error propagates.
        """
        ...

    def open(self, storage_key: str) -> BinaryIO: ...

    def exists(self, storage_key: str) -> bool: ...

    def delete(self, storage_key: str) -> None: ...

    def iter_keys(self) -> Iterator[str]: ...


class LocalEvidenceStore:
    """Blobs on a local (or single shared POSIX) file system, sharded as ab/cd/<sha256>."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.incoming = self.root / "incoming"

    def path_for(self, storage_key: str) -> Path:
        if not KEY_PATTERN.match(storage_key):
            raise ValueError(f"not an evidence storage key: {storage_key!r}")
        return self.root / storage_key[:2] / storage_key[2:4] / storage_key

    def put_stream(self, chunks: Iterable[bytes], *, check: Check | None = None) -> StoredBlob:
        self.incoming.mkdir(parents=True, exist_ok=True)
        self.sweep_incoming()
        fd, temp_name = tempfile.mkstemp(dir=self.incoming, prefix="upload-", suffix=".part")
        temp = Path(temp_name)
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "w+b") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
                if check is not None:
                    handle.seek(0)
                    check(handle)
            key = digest.hexdigest()
            final = self.path_for(key)
            created = False
            if not final.exists():
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, final)
                _fsync_dir(final.parent)
                created = True
            return StoredBlob(sha256=key, size=size, storage_key=key, created=created)
        finally:
            temp.unlink(missing_ok=True)

    def sweep_incoming(self, older_than: float = STALE_UPLOAD_SECONDS) -> int:
        """Delete temporary files no upload is writing any more: a process killed mid-upload
        (SIGKILL, power loss) never ran its cleanup. Age, not ownership, decides, so uploads in
        flight in other workers or on other hosts sharing the store are left alone."""
        cutoff = time.time() - older_than
        removed = 0
        for part in self.incoming.glob("upload-*.part"):
            with contextlib.suppress(FileNotFoundError):
                if part.stat().st_mtime < cutoff:
                    part.unlink()
                    removed += 1
        return removed

    def open(self, storage_key: str) -> BinaryIO:
        return self.path_for(storage_key).open("rb")

    def exists(self, storage_key: str) -> bool:
        return self.path_for(storage_key).is_file()

    def delete(self, storage_key: str) -> None:
        self.path_for(storage_key).unlink(missing_ok=True)

    def iter_keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/??/*")):
            key = path.name
            if KEY_PATTERN.match(key) and path.is_file() and self.path_for(key) == path:
                yield key


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def hash_blob(store: EvidenceStore, storage_key: str) -> tuple[str, int]:
    """Re-read a blob: its actual SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0
    with store.open(storage_key) as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def store_for(settings: Settings) -> EvidenceStore:
    """The configured evidence store (local disk under ASSAY_DATA_DIR/evidence)."""
    return LocalEvidenceStore(settings.evidence_dir)
