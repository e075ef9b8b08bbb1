"""Browser sessions in a signed cookie: rotated at sign-in, idle and absolute timeouts, CSRF token.

The cookie carries the user id, the user's session epoch (bumped by "sign out everywhere"),
when it was issued and last seen. Starlette's SessionMiddleware signs it with the secret key.
"""

from __future__ import annotations

import hmac
import secrets
import time

from starlette.requests import Request

from app.config import Settings
from app.models import User

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def start_session(request: Request, user: User) -> None:
    """Replace whatever the cookie held (fixation defence) with a fresh signed-in session."""
    request.session.clear()
    now = int(time.time())
    request.session.update(
        {
            "uid": user.id,
            "epoch": user.session_epoch,
            "iat": now,
            "seen": now,
            "csrf": secrets.token_urlsafe(32),
        }
    )


def end_session(request: Request) -> None:
    request.session.clear()


def session_user_id(request: Request, user_epoch_lookup, settings: Settings) -> int | None:
    """The signed-in user id if the session is still valid; clears it otherwise."""
    data = request.session
    uid = data.get("uid")
    if uid is None:
        return None
    now = int(time.time())
    idle = now - int(data.get("seen", 0)) > settings.session_idle_minutes * 60
    absolute = now - int(data.get("iat", 0)) > settings.session_absolute_hours * 3600
    if idle or absolute or user_epoch_lookup(uid) != data.get("epoch"):
        request.session.clear()
        return None
    if now - int(data.get("seen", 0)) > 60:  # refresh at most once a minute
        data["seen"] = now
    return int(uid)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))
