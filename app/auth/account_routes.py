"""The signed-in user's own account: password, sign out everywhere, two-step sign-in, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit.service import request_ip
from app.auth import service, totp
from app.auth.passwords import POLICY_TEXT
from app.auth.permissions import Permission
from app.auth.schemas import (
    TOKEN_DAYS_OPTIONS,
    TOKEN_SCOPE_OPTIONS,
    ChangePasswordForm,
    CodeForm,
    PasswordForm,
    TokenForm,
)
from app.auth.sessions import end_session, signed_in_recently, start_session
from app.deps import CurrentUser, SessionDep, require
from app.errors import DomainError, Forbidden
from app.forms import FieldErrors, PostedForm, form_values, parse, validate
from app.models import TokenScope, User, utcnow
from app.web import flash, redirect, render

router = APIRouter(prefix="/account", tags=["account"])


def _browser_only(request: Request) -> None:
    """An API token cannot manage credentials: that needs the signed-in browser."""
    if getattr(request.state, "via_token", False):
        raise Forbidden("Manage your account in the browser.")


def _page(
    request: Request, session: SessionDep, user: User, status_code: int = 200, **extra
) -> Response:
    context = {
        "tokens": service.user_api_tokens(session=session, user=user),
        "now": utcnow(),
        "policy": POLICY_TEXT,
        "scopes": TOKEN_SCOPE_OPTIONS,
        "days_options": TOKEN_DAYS_OPTIONS,
        "recently_signed_in": signed_in_recently(request, minutes=service.REAUTH_MINUTES),
        "errors": {},
        "token_errors": {},
        "token_values": {"scope": "read", "days": service.TOKEN_DEFAULT_DAYS},
        **extra,
    }
    return render(request, "account/account.html", context, status_code=status_code)


@router.get("")
def account_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return _page(request, session, user)


@router.post("/sign-out-everywhere")
def sign_out_everywhere(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    _browser_only(request)
    service.sign_out_everywhere(session=session, user=user, ip=request_ip(request))
    end_session(request, session=session)
    flash(request, "You are signed out on every device.")
    return redirect(request, "/login")


@router.post("/password")
def change_password(
    request: Request, user: CurrentUser, session: SessionDep, form: PostedForm
) -> Response:
    """A new password after the current one; other sessions and API tokens end, this one goes on."""
    _browser_only(request)
    try:
        data = parse(ChangePasswordForm, form)
        service.change_password(
            session=session,
            user=user,
            current=data.current_password,
            new=data.password,
            confirm=data.password_confirm,
            ip=request_ip(request),
        )
    except FieldErrors as exc:
        return _page(request, session, user, status_code=422, errors=exc.errors)
    start_session(request, user, session=session)  # the new epoch: this browser stays signed in
    flash(request, "Your password is changed. Your other sessions and API tokens have ended.")
    return redirect(request, "/account")


@router.post("/two-step/start")
def two_step_start(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    _browser_only(request)
    secret = service.start_totp_enrolment(session=session, user=user)
    return _enrolment(request, user, secret)


def _enrolment(request: Request, user: User, secret: str, error: str | None = None) -> Response:
    uri = totp.provisioning_uri(secret, user.email)
    context = {"qr_svg": totp.qr_svg(uri), "secret": secret, "error": error}
    return render(
        request, "account/two_step_enrol.html", context, status_code=422 if error else 200
    )


@router.post("/two-step/confirm")
def two_step_confirm(
    request: Request, user: CurrentUser, session: SessionDep, form: PostedForm
) -> Response:
    code = parse(CodeForm, form).code
    _browser_only(request)
    try:
        codes = service.confirm_totp_enrolment(session=session, user=user, code=code)
    except DomainError as exc:
        if user.totp_secret and not user.totp_enabled:
            return _enrolment(request, user, user.totp_secret, exc.message)
        raise
    return render(request, "account/recovery_codes.html", {"codes": codes})


@router.post("/two-step/disable")
def two_step_disable(
    request: Request, user: CurrentUser, session: SessionDep, form: PostedForm
) -> Response:
    password = parse(PasswordForm, form).password
    _browser_only(request)
    service.disable_totp(session=session, user=user, password=password)
    flash(request, "Two-step sign-in is off.")
    return redirect(request, "/account")


@router.post("/tokens", dependencies=[require(Permission.manage_api_tokens)])
def create_token(
    request: Request, user: CurrentUser, session: SessionDep, form: PostedForm
) -> Response:
    _browser_only(request)
    values = form_values(TokenForm, form)
    try:
        data = validate(TokenForm, values)
        service.confirm_identity(
            session=session,
            user=user,
            password=data.password,
            recently_signed_in=signed_in_recently(request, minutes=service.REAUTH_MINUTES),
            ip=request_ip(request),
        )
        token, secret = service.create_api_token(
            session=session,
            user=user,
            name=data.name,
            scope=TokenScope(data.scope),
            days=data.days,
            ip=request_ip(request),
        )
    except FieldErrors as exc:
        values.pop("password", None)
        return _page(
            request, session, user, status_code=422, token_errors=exc.errors, token_values=values
        )
    return _page(request, session, user, new_token=secret, new_token_name=token.name)


@router.post("/tokens/{token_id}/revoke", dependencies=[require(Permission.manage_api_tokens)])
def revoke_token(
    request: Request, user: CurrentUser, session: SessionDep, token_id: int
) -> Response:
    _browser_only(request)
    token = service.revoke_api_token(session=session, user=user, token_id=token_id)
    flash(request, f"Token “{token.name}” is revoked.")
    return redirect(request, "/account")
