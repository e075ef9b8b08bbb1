"""Argon2 password hashing (pwdlib); tests may opt into cheaper parameters."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_PASSWORD_LENGTH = 12


@lru_cache
def _hasher(fast: bool) -> PasswordHash:
    if fast:
        return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    return PasswordHash((Argon2Hasher(),))


def _fast() -> bool:
    from app.config import get_settings

    return get_settings().password_hash_fast


def hash_password(password: str) -> str:
    return _hasher(_fast()).hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant work whether or not the account exists: a missing hash is checked against a dummy."""
    hasher = _hasher(_fast())
    if not password_hash:
        hasher.verify(password, _dummy_hash(_fast()))
        return False
    try:
        return hasher.verify(password, password_hash)
    except Exception:  # malformed stored hash
        return False


@lru_cache
def _dummy_hash(fast: bool) -> str:
    return _hasher(fast).hash("not-a-real-password-0000")


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    return None
