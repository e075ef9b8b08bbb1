"""The upload pipeline: stream a file into the evidence store, refusing it before it is kept.

Everything is decided while the bytes stream past or on the complete temporary file, before the
store makes the blob visible: the size limit (the stream is abandoned at limit + 1 byte), empty
files, the real type from the content, the name's extension against that type, zip bombs. The
file name is cleaned here too. No database, no HTTP: tested directly.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from app.errors import InvalidInput, TooLarge
from app.evidence import filetypes
from app.evidence.filetypes import FileType
from app.evidence.storage import EvidenceStore, StoredBlob

HEAD_BYTES = 8192
MAX_NAME_BYTES = 200  # Evidence.filename holds 255 characters; stay well within file systems
RESERVED_CHARACTERS = frozenset('<>:"/\\|?*')
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(1, 10)}
    | {f"lpt{n}" for n in range(1, 10)}
)


@dataclass(frozen=True)
class ReceivedFile:
    """A file that passed every check and is in the store."""

    blob: StoredBlob
    filename: str
    file_type: FileType

    @property
    def media_type(self) -> str:
        return self.file_type.media_type


def describe_limit(limit: int) -> str:
    mb = limit / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 1 and mb == int(mb) else f"{limit:,} bytes"


def check_filename(raw: str) -> None:
    """Refuse names no browser sends: control characters or `..` path segments (crafted requests)."""
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise InvalidInput(
            "The file name contains control characters. Rename the file and upload it again."
        )
    if ".." in raw.replace("\\", "/").split("/"):
        raise InvalidInput(
            "The file name contains a path (“../”). Upload the file under its own name."
        )


def sanitise_filename(raw: str) -> str:
    """A name safe to store and to offer for download: no path, no control or reserved
    characters, NFC, at most 200 UTF-8 bytes, extension kept. Never empty."""
    name = unicodedata.normalize("NFC", raw)
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = "".join("_" if ch in RESERVED_CHARACTERS else ch for ch in name)
    name = " ".join(name.split()).strip(" .")
    path = PurePosixPath(name or "evidence")
    suffix = path.suffix if 1 < len(path.suffix) <= 10 and path.suffix[1:].isalnum() else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    stem = stem.strip(" .") or "evidence"
    if stem.lower() in WINDOWS_DEVICE_NAMES:
        stem = f"_{stem}"
    while len((stem + suffix).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(" .") + suffix


class ContentInspector:
    """Watches the bytes of one upload as they stream and judges the complete file."""

    def __init__(self, filename: str, limit: int) -> None:
        self.filename = filename
        self.limit = limit
        self.size = 0
        self.head = b""
        self.is_text = True
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.file_type: FileType | None = None
        self.final_name = filename

    def feed(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Pass the chunks through, stopping (TooLarge) as soon as the limit is exceeded."""
        for chunk in chunks:
            if not chunk:
                continue
            self.size += len(chunk)
            if self.size > self.limit:
                raise TooLarge(
                    f"“{self.filename}” is larger than the {describe_limit(self.limit)} upload "
                    "limit. Split it or compress it, then upload it again."
                )
            if len(self.head) < HEAD_BYTES:
                self.head += chunk[: HEAD_BYTES - len(self.head)]
            if self.is_text:
                self._watch_text(chunk)
            yield chunk
        if self.is_text:
            self._watch_text(b"", final=True)

    def _watch_text(self, chunk: bytes, final: bool = False) -> None:
        if b"\x00" in chunk:
            self.is_text = False
            return
        try:
            self._decoder.decode(chunk, final)
        except UnicodeDecodeError:
            self.is_text = False

    def finish(self, file: BinaryIO) -> None:
        """Judge the complete file (the store calls this before keeping it)."""
        if self.size == 0:
            raise InvalidInput(f"“{self.filename}” is empty. Choose the file again.")
        detected = filetypes.detect(self.filename, self.head, is_text=self.is_text, file=file)
        suffix = PurePosixPath(self.filename).suffix.lower()
        if not suffix:
            self.file_type = detected
            self.final_name = sanitise_filename(self.filename + detected.extension)
            return
        named = filetypes.for_name(detected, suffix)
        if named is None:
            label = "text" if detected is filetypes.TXT else detected.label
            raise InvalidInput(
                f"“{self.filename}” looks like a {label} but is named {suffix}. "
                "Upload the intended file, or rename it with the right extension."
            )
        self.file_type = named


def receive_upload(
    *, store: EvidenceStore, filename: str, chunks: Iterable[bytes], limit: int
) -> ReceivedFile:
    """Check and store one upload; on any refusal nothing is left in the store."""
    check_filename(filename)
    clean = sanitise_filename(filename)
    inspector = ContentInspector(clean, limit)
    blob = store.put_stream(inspector.feed(chunks), check=inspector.finish)
    assert inspector.file_type is not None
    return ReceivedFile(blob=blob, filename=inspector.final_name, file_type=inspector.file_type)
