"""Secrets Assay must read back (an organisation's OIDC client secret), encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key derived from the server's
secret key with HKDF-SHA256, so a database dump alone does not reveal the secrets and no second
key has to be managed. The `info` label keeps this key apart from any other use of the secret.
"""

from __future__ import annotations

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger("assay.auth")

_INFO = b"assay/organisation-secrets/v1"


def _fernet(server_secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        server_secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, *, server_secret: str) -> str:
    """The stored form of `value`: a Fernet token (ASCII)."""
    return _fernet(server_secret).encrypt(value.encode()).decode()


def unseal(stored: str | None, *, server_secret: str) -> str | None:
    """The clear value, or None when nothing is stored or it was sealed under another key."""
    if not stored:
        return None
    try:
        return _fernet(server_secret).decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        log.warning("a stored secret cannot be decrypted with this server's secret key")
        return None


def is_sealed(stored: str, *, server_secret: str) -> bool:
    """Whether `stored` was sealed with this server's key (the migration skips those)."""
    try:
        _fernet(server_secret).decrypt(stored.encode())
    except (InvalidToken, ValueError):
        return False
    return True
