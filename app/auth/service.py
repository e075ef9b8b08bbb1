"""Signing in (password, throttle, second factor), accounts, and API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, func, select

from app.audit.service import record
from app.auth import throttle, totp
from app.auth.passwords import hash_password, password_problem, verify_password
from app.auth.sessions import end_all_sessions
from app.errors import Conflict, InvalidInput, NotFound
from app.forms import FieldErrors
from app.models import ApiToken, Role, TokenScope, User, utcnow
from app.security import token_hash


def refusal(field: str, message: str) -> FieldErrors:
    """A refusal shown beside one field of the form (and as the message elsewhere)."""
    return FieldErrors({field: message}, message)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def authenticate(*, session: Session, email: str, password: str, ip: str | None) -> User | None:
    """The user if the password matches an active account; same work and answer otherwise."""
    user = find_user_by_email(session=session, email=email)
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.active:
        if user is not None:
            record(
                session=session,
                action="auth.login_failed",
                actor=user,
                object_type="user",
                object_id=user.id,
                ip=ip,
            )
        return None
    user.last_login_at = utcnow()
    session.add(user)
    record(
        session=session,
        action="auth.login",
        actor=user,
        object_type="user",
        object_id=user.id,
        ip=ip,
    )
    return user


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    role: Role,
    password: str | None,
    organisation_id: int | None,
    actor: User | None = None,
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise InvalidInput("Enter a valid email address.")
    if session.exec(select(func.count()).select_from(User).where(User.email == email)).one():
        raise Conflict(f"A user with email {email} already exists.")
    if password is not None and (problem := password_problem(password, email=email)):
        raise InvalidInput(problem)
    user = User(
        email=email,
        name=name,
        role=role,
        organisation_id=organisation_id,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    record(
        session=session,
        action="user.created",
        actor=actor,
        organisation_id=organisation_id,
        object_type="user",
        object_id=user.id,
        data={"email": email, "role": role.value},
    )
    return user


@dataclass(frozen=True)
class LoginOutcome:
    """What a password sign-in attempt produced; `user` is set when the password matched."""

    user: User | None = None
    throttled: bool = False
    needs_second_factor: bool = False


def password_login(*, session: Session, email: str, password: str, ip: str | None) -> LoginOutcome:
    """Throttled password check; the caller starts the session or asks for the TOTP code."""
    if throttle.is_blocked(session=session, email=email, ip=ip):
        return LoginOutcome(throttled=True)
    user = authenticate(session=session, email=email, password=password, ip=ip)
    if user is None:
        throttle.record_failure(session=session, email=email, ip=ip)
        return LoginOutcome()
    throttle.record_success(session=session, email=email, ip=ip)
    return LoginOutcome(user=user, needs_second_factor=user.totp_enabled)


def verify_second_factor(*, session: Session, user: User, code: str, ip: str | None) -> bool:
    """A fresh TOTP code or an unused recovery code; failures count towards the throttle."""
    if throttle.is_blocked(session=session, email=user.email, ip=ip):
        return False
    step = totp.matching_step(user.totp_secret or "", code, after=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
    elif (remaining := totp.use_recovery_code(user.recovery_code_hashes, code)) is not None:
        user.recovery_code_hashes = remaining
        record(
            session=session,
            action="auth.recovery_code_used",
            actor=user,
            object_type="user",
            object_id=user.id,
            ip=ip,
        )
    else:
        throttle.record_failure(session=session, email=user.email, ip=ip)
        return False
    session.add(user)
    session.flush()
    return True


def start_totp_enrolment(*, session: Session, user: User) -> str:
    """A new secret kept on the user but not enabled until a code proves the app has it."""
    if user.password_hash is None:
        raise InvalidInput(
            "Two-step sign-in is for local accounts; your identity provider handles yours."
        )
    if user.totp_enabled:
        raise Conflict("Two-step sign-in is already on.")
    user.totp_secret = totp.new_secret()
    session.add(user)
    session.flush()
    return user.totp_secret


def confirm_totp_enrolment(*, session: Session, user: User, code: str) -> list[str]:
    """Turn TOTP on after a valid code; the recovery codes are returned once and stored hashed."""
    if user.totp_enabled or not user.totp_secret:
        raise Conflict("Start the set-up again.")
    step = totp.matching_step(user.totp_secret, code, after=None)
    if step is None:
        raise InvalidInput("That code is not valid. Check the time on your phone and try again.")
    codes = totp.new_recovery_codes()
    user.totp_enabled = True
    user.totp_last_step = step
    user.recovery_code_hashes = [totp.hash_recovery_code(c) for c in codes]
    session.add(user)
    record(
        session=session,
        action="auth.totp_enabled",
        actor=user,
        object_type="user",
        object_id=user.id,
    )
    return codes


def disable_totp(*, session: Session, user: User, password: str) -> None:
    if not verify_password(password, user.password_hash):
        raise InvalidInput("That password is not correct.")
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_code_hashes = []
    session.add(user)
    record(
        session=session,
        action="auth.totp_disabled",
        actor=user,
        object_type="user",
        object_id=user.id,
    )


def sign_out_everywhere(*, session: Session, user: User, ip: str | None = None) -> None:
    """Every session and API token of the user stops working, for good."""
    end_all_access(session=session, user=user)
    record(
        session=session,
        action="auth.signed_out_everywhere",
        actor=user,
        object_type="user",
        object_id=user.id,
        ip=ip,
    )


def end_all_access(*, session: Session, user: User) -> int:
    """End the user's browser sessions and revoke their API tokens; the number revoked.

    Used by sign out everywhere, deactivation and removal: a token revoked here stays revoked
    if the account is reactivated (a new one must be created).
    """
    end_all_sessions(session=session, user=user)
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.flush()
    return revoked.rowcount or 0


def change_password(
    *, session: Session, user: User, current: str, new: str, confirm: str, ip: str | None = None
) -> None:
    """Set a new password after the current one; every other session and token ends."""
    if user.password_hash is None:
        raise InvalidInput("Your identity provider manages your password.")
    if throttle.is_blocked(session=session, email=user.email, ip=ip):
        raise refusal("current_password", throttle.THROTTLED_MESSAGE)
    if not verify_password(current, user.password_hash):
        throttle.record_failure(session=session, email=user.email, ip=ip)
        raise refusal("current_password", "Your current password is not correct.")
    set_password(session=session, user=user, password=new, confirm=confirm)
    record(
        session=session,
        action="auth.password_changed",
        actor=user,
        object_type="user",
        object_id=user.id,
        ip=ip,
    )


def set_password(*, session: Session, user: User, password: str, confirm: str) -> None:
    """Check the policy and store the new hash; the user's sessions and tokens end."""
    if password != confirm:
        raise refusal("password", "The two new passwords differ.")
    if problem := password_problem(password, email=user.email):
        raise refusal("password", problem)
    user.password_hash = hash_password(password)
    end_all_access(session=session, user=user)


API_TOKEN_PREFIX = "assay_"  # noqa: S105 (a public marker, not a secret)
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
REAUTH_MINUTES = 5  # a sign-in this recent stands in for re-entering the password


def confirm_identity(
    *,
    session: Session,
    user: User,
    password: str | None,
    recently_signed_in: bool,
    ip: str | None = None,
) -> None:
    """Before a sensitive step (creating an API token): the password again, unless the user
    signed in minutes ago. Single sign-on users, who have no password, sign in again."""
    if recently_signed_in:
        return
    if user.password_hash is None:
        raise refusal("password", "Sign in again, then create the token within a few minutes.")
    if throttle.is_blocked(session=session, email=user.email, ip=ip):
        raise refusal("password", throttle.THROTTLED_MESSAGE)
    if not verify_password(password or "", user.password_hash):
        throttle.record_failure(session=session, email=user.email, ip=ip)
        raise refusal("password", "Your password is not correct.")


def create_api_token(
    *,
    session: Session,
    user: User,
    name: str,
    scope: TokenScope = TokenScope.write,
    days: int = TOKEN_DEFAULT_DAYS,
    ip: str | None = None,
) -> tuple[ApiToken, str]:
    """A new bearer token acting as `user`; the secret is returned once, only its hash is kept.

    The route confirms the person first (`confirm_identity`); the form offers read-only as the
    default scope. Every token expires, after at most a year.
    """
    name = name.strip()
    if not name:
        raise refusal("name", "Give the token a name, e.g. the script that will use it.")
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise refusal("days", f"A token lasts 1 to {TOKEN_MAX_DAYS} days.")
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name[:100],
        prefix=secret[:12],
        token_hash=token_hash(secret),
        scope=TokenScope(scope),
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    record(
        session=session,
        action="api_token.created",
        actor=user,
        object_type="api_token",
        object_id=token.id,
        data={"name": token.name, "scope": token.scope, "days": days},
        ip=ip,
    )
    return token, secret


def user_api_tokens(*, session: Session, user: User) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        ).all()
    )


def revoke_api_token(*, session: Session, user: User, token_id: int) -> ApiToken:
    token = session.exec(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).first()
    if token is None:
        raise NotFound("No such API token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        record(
            session=session,
            action="api_token.revoked",
            actor=user,
            object_type="api_token",
            object_id=token.id,
        )
    return token
