"""The signed-in user's own account: sign out everywhere, two-step sign-in, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth import service, totp
from app.auth.permissions import Permission
from app.auth.schemas import CodeForm, PasswordForm, TokenForm
from app.auth.sessions import end_session
from app.deps import CurrentUser, SessionDep, require
from app.errors import DomainError, Forbidden
from app.forms import PostedForm, parse
from app.models import User
from app.web import flash, redirect, render

router = APIRouter(prefix="/account", tags=["account"])


def _browser_only(request: Request) -> None:
    """An API token cannot manage credentials: that needs the signed-in browser."""
    if getattr(request.state, "via_token", False):
        raise Forbidden("Manage your account in the browser.")


def _page(request: Request, session: SessionDep, user: User, **extra) -> Response:
    context = {"tokens": service.user_api_tokens(session=session, user=user), **extra}
    return render(request, "account/account.html", context)


@router.get("")
def account_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return _page(request, session, user)


@router.post("/sign-out-everywhere")
def sign_out_everywhere(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    _browser_only(request)
    service.sign_out_everywhere(session=session, user=user)
    end_session(request)
    flash(request, "You are signed out on every device.")
    return redirect(request, "/login")


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
    name = parse(TokenForm, form).name
    _browser_only(request)
    token, secret = service.create_api_token(session=session, user=user, name=name)
    return _page(request, session, user, new_token=secret, new_token_name=token.name)


@router.post("/tokens/{token_id}/revoke", dependencies=[require(Permission.manage_api_tokens)])
def revoke_token(
    request: Request, user: CurrentUser, session: SessionDep, token_id: int
) -> Response:
    _browser_only(request)
    token = service.revoke_api_token(session=session, user=user, token_id=token_id)
    flash(request, f"Token “{token.name}” is revoked.")
    return redirect(request, "/account")
