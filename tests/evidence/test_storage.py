"""The local content-addressed store: sharded keys, one copy per content, no partial blobs."""

from __future__ import annotations

import hashlib
import os

import pytest

from app.evidence.storage import LocalEvidenceStore, hash_blob
from tests.evidence.conftest import stored_files


def test_put_stream_files_the_blob_under_its_sha256(store: LocalEvidenceStore):
    data = b"policy text " * 1000
    blob = store.put_stream([data[:5000], data[5000:]])

    digest = hashlib.sha256(data).hexdigest()
    assert (blob.sha256, blob.size, blob.storage_key, blob.created) == (
        digest,
        len(data),
        digest,
        True,
    )
    path = store.root / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == data
    assert store.exists(digest)
    with store.open(digest) as handle:
        assert handle.read() == data
    assert hash_blob(store, digest) == (digest, len(data))


def test_the_same_content_is_kept_once(store: LocalEvidenceStore):
    first = store.put_stream([b"same bytes"])
    second = store.put_stream([b"same ", b"bytes"])

    assert second.storage_key == first.storage_key
    assert (first.created, second.created) == (True, False)
    assert stored_files(store) == [f"{k[:2]}/{k[2:4]}/{k}" for k in [first.storage_key]]


def test_an_interrupted_write_leaves_no_partial_file(store: LocalEvidenceStore):
    def dropped_connection():
        yield b"first half of a certificate"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put_stream(dropped_connection())

    assert stored_files(store) == []
    assert list(store.iter_keys()) == []


def test_a_crash_while_publishing_leaves_no_partial_file(store, monkeypatch):
    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put_stream([b"complete bytes"])

    assert stored_files(store) == []


def test_a_refusing_check_keeps_nothing(store: LocalEvidenceStore):
    seen = []

    def check(handle):
        seen.append(handle.read())
        raise ValueError("not acceptable")

    with pytest.raises(ValueError):
        store.put_stream([b"abc", b"def"], check=check)

    assert seen == [b"abcdef"]  # the check saw the complete, rewound file
    assert stored_files(store) == []


def test_delete_and_iter_keys_ignore_everything_but_blobs(store: LocalEvidenceStore):
    keys = {store.put_stream([bytes([n]) * 10]).storage_key for n in range(3)}
    (store.root / "incoming").mkdir(exist_ok=True)
    (store.root / "incoming" / "upload-x.part").write_bytes(b"junk")
    (store.root / "README").write_text("not a blob")

    assert set(store.iter_keys()) == keys
    victim = sorted(keys)[0]
    store.delete(victim)
    assert not store.exists(victim)
    assert set(store.iter_keys()) == keys - {victim}


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab", "A" * 64, "g" * 64])
def test_keys_that_are_not_sha256_are_refused(store: LocalEvidenceStore, key: str):
    with pytest.raises(ValueError):
        store.open(key)
