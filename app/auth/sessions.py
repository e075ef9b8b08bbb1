"""Browser sessions: a signed cookie that names a server-side session row; CSRF token.

The cookie carries the user id, the user's session epoch (bumped by "sign out everywhere"), when
it was issued and last seen, and a random session key whose hash is a `BrowserSession` row.
Starlette's SessionMiddleware signs the cookie with the secret key. Signing out ends the row, so
a copy of the cookie taken before stops working too; the cookie alone is never enough.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import Session
from starlette.requests import Request

from app.config import Settings
from app.models import BrowserSession, User, utcnow
from app.security import token_hash

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
KEPT_ENDED_SESSIONS = timedelta(days=2)  # ended rows older than this are swept at sign-in


def start_session(request: Request, user: User, *, session: Session) -> None:
    """Replace whatever the cookie held (fixation defence) with a fresh signed-in session."""
    end_session(request, session=session)
    key = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(
        delete(BrowserSession).where(
            BrowserSession.user_id == user.id,
            BrowserSession.created_at < now - KEPT_ENDED_SESSIONS,
        )
    )
    session.add(BrowserSession(user_id=user.id, key_hash=token_hash(key), created_at=now))
    session.flush()
    stamp = int(time.time())
    request.session.update(
        {
            "uid": user.id,
            "sid": key,
            "epoch": user.session_epoch,
            "iat": stamp,
            "seen": stamp,
            "csrf": secrets.token_urlsafe(32),
        }
    )


def end_session(request: Request, *, session: Session | None = None) -> None:
    """Forget the cookie's session, and end its server-side row so no copy of it works."""
    key = request.session.get("sid")
    if key and session is not None:
        session.execute(
            update(BrowserSession)
            .where(
                BrowserSession.key_hash == token_hash(str(key)), BrowserSession.ended_at.is_(None)
            )
            .values(ended_at=utcnow())
        )
    request.session.clear()


def end_all_sessions(*, session: Session, user: User) -> None:
    """Every browser session of `user` ends (sign out everywhere, deactivation, new password)."""
    user.session_epoch += 1
    session.add(user)
    session.execute(
        update(BrowserSession)
        .where(BrowserSession.user_id == user.id, BrowserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def session_key_hash(request: Request) -> str | None:
    key = request.session.get("sid")
    return token_hash(str(key)) if key else None


def session_user_id(
    request: Request, user_epoch_lookup: Callable[[int, str], int | None], settings: Settings
) -> int | None:
    """The signed-in user id if the session is still valid; clears it otherwise.

    `user_epoch_lookup(uid, key_hash)` answers the user's session epoch while the server-side
    session is live (None when it ended or the user cannot sign in).
    """
    data = request.session
    uid = data.get("uid")
    if uid is None:
        return None
    key_hash = session_key_hash(request)
    now = int(time.time())
    idle = now - int(data.get("seen", 0)) > settings.session_idle_minutes * 60
    absolute = now - int(data.get("iat", 0)) > settings.session_absolute_hours * 3600
    if (
        idle
        or absolute
        or key_hash is None
        or user_epoch_lookup(uid, key_hash) != data.get("epoch")
    ):
        request.session.clear()
        return None
    if now - int(data.get("seen", 0)) > 60:  # refresh at most once a minute
        data["seen"] = now
    return int(uid)


def signed_in_recently(request: Request, *, minutes: int) -> bool:
    """Whether this session's sign-in was less than `minutes` ago (stands in for a password)."""
    return time.time() - int(request.session.get("iat", 0)) < minutes * 60


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))
