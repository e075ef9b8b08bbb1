"""TOTP second factor and recovery codes (pure: no database, no HTTP)."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno

ISSUER = "Assay"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code (rendered server-side: the CSP allows no script)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def matching_step(
    secret: str, code: str, *, after: int | None, at: float | None = None
) -> int | None:
    """The time step a 6-digit code belongs to (±1 step of drift), if newer than `after`.

    Returning the step lets the caller store it, so the same code cannot be replayed.
    """
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = int((at if at is not None else time.time()) // totp.interval)
    for step in (now - 1, now, now + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    def one() -> str:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        return f"{raw[:5]}-{raw[5:]}"

    return [one() for _ in range(RECOVERY_CODES)]


def hash_recovery_code(code: str) -> str:
    """Codes carry ~49 bits of randomness and are single-use: a plain SHA-256 suffices."""
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


def use_recovery_code(hashes: list[str], code: str) -> list[str] | None:
    """The remaining hashes after using `code`, or None if it is not one of them."""
    digest = hash_recovery_code(code)
    for stored in hashes:
        if hmac.compare_digest(stored, digest):
            return [h for h in hashes if h != stored]
    return None
