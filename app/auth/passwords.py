"""Argon2 password hashing (pwdlib) and the password policy; tests may opt into cheaper hashing.

The policy (ASVS 2.1): at least 12 characters, not one of the passwords leaked in breaches or
easily guessed, and not built from the person's email address. Guessability is judged offline by
zxcvbn, whose bundled dictionaries include 30,000 of the most common passwords from breach
corpora and which also catches repeats, sequences, keyboard walks and dates; nothing is sent
anywhere, and the check is the same on every server.
"""

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


MAX_PASSWORD_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: 3 "safely unguessable" (about 10^8 guesses and more)
_SCORED_PREFIX = 64  # zxcvbn's work grows with length; 64 characters decide the score already

# What every form that sets a password says, so nobody learns the rules by failing them.
POLICY_TEXT = (
    f"At least {MIN_PASSWORD_LENGTH} characters. Not a common or leaked password, not a simple "
    "pattern such as a repeated letter, and not your email address. A few unrelated words make "
    "a good one."
)


def _local_part(email: str | None) -> str:
    return (email or "").strip().lower().partition("@")[0]


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why `password` may not be used (for the account of `email`), or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    local = _local_part(email)
    if len(local) >= 4 and local in password.lower():  # shorter ones go to zxcvbn as words
        return "Do not use your email address in your password."
    from zxcvbn import zxcvbn

    inputs = [local, *local.replace("_", ".").replace("-", ".").split(".")] if local else []
    result = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[i for i in inputs if len(i) >= 3])
    if result["score"] < MIN_SCORE:
        return (
            "That password is common, appeared in a data breach, or follows a pattern that is "
            "easy to guess. Try a few unrelated words."
        )
    return None
