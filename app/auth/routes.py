"""Sign-in pages (public): password, second factor, single sign-on, invitations; and sign-out."""

from __future__ import annotations

import logging
import time

import httpx
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from joserfc.errors import JoseError
from sqlmodel import select

from app.audit.service import request_ip
from app.auth import password_routes, throttle
from app.auth.invitations import ACCOUNT_ELSEWHERE, accept_invitation, open_invitation
from app.auth.oidc import SsoRefused, client_for, find_sso_organisation, oidc_config, sso_user
from app.auth.passwords import POLICY_TEXT, password_problem, verify_password
from app.auth.schemas import CodeForm, InvitationForm, LoginForm, SsoForm
from app.auth.service import password_login, verify_second_factor
from app.auth.sessions import end_session, start_session
from app.deps import CurrentUser, SessionDep, WriteSessionDep
from app.errors import InvalidInput
from app.forms import PostedForm, parse
from app.models import Invitation, Organisation, Role, User
from app.web import flash, redirect, render

log = logging.getLogger("assay.auth")

public_router = APIRouter(tags=["auth"])
public_router.include_router(password_routes.public_router)
router = APIRouter(tags=["auth"])

GENERIC_FAILURE = "That email and password do not match an active account."
SECOND_FACTOR_SECONDS = 300
PENDING = "pending_2fa"


def safe_next(url: str | None) -> str:
    """Only a same-site path: never an open redirect, never a control character (which would
    break the Location or HX-Redirect header it goes into)."""
    if (
        url
        and url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and len(url) <= 2000
        and url.isascii()
        and url.isprintable()
        and " " not in url
    ):
        return url
    return "/"


@public_router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "auth/login.html", {"next": safe_next(next)})


@public_router.post("/login")
def login(request: Request, session: SessionDep, form: PostedForm) -> Response:
    data = parse(LoginForm, form)
    email, next = data.email, data.next
    outcome = password_login(
        session=session, email=email, password=data.password, ip=request_ip(request)
    )
    if outcome.user is None:
        error, status = (
            (throttle.THROTTLED_MESSAGE, 429) if outcome.throttled else (GENERIC_FAILURE, 401)
        )
        context = {"error": error, "email": email, "next": safe_next(next)}
        return render(request, "auth/login.html", context, status_code=status)
    if outcome.needs_second_factor:
        request.session.clear()
        request.session[PENDING] = {
            "uid": outcome.user.id,
            "at": int(time.time()),
            "next": safe_next(next),
        }
        return redirect(request, "/login/two-step")
    start_session(request, outcome.user, session=session)
    return redirect(request, safe_next(next))


def _pending_user(request: Request, session: SessionDep) -> tuple[User, str] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > SECOND_FACTOR_SECONDS:
        return None
    user = session.get(User, pending.get("uid"))
    if user is None or not user.active or not user.totp_enabled:
        return None
    return user, pending.get("next", "/")


@public_router.get("/login/two-step")
def second_factor_page(request: Request, session: SessionDep) -> Response:
    if _pending_user(request, session) is None:
        flash(request, "Sign in again.", "error")
        return redirect(request, "/login")
    return render(request, "auth/two_step.html")


@public_router.post("/login/two-step")
def second_factor(request: Request, session: SessionDep, form: PostedForm) -> Response:
    code = parse(CodeForm, form).code
    pending = _pending_user(request, session)
    if pending is None:
        flash(request, "That took too long. Sign in again.", "error")
        return redirect(request, "/login")
    user, next_url = pending
    ip = request_ip(request)
    if not verify_second_factor(session=session, user=user, code=code, ip=ip):
        blocked = throttle.is_blocked(session=session, email=user.email, ip=ip)
        message = throttle.THROTTLED_MESSAGE if blocked else "That code is not valid."
        return render(request, "auth/two_step.html", {"error": message}, status_code=401)
    start_session(request, user, session=session)
    return redirect(request, next_url)


@public_router.post("/login/sso")
async def sso_start(request: Request, session: SessionDep, form: PostedForm) -> Response:
    """Email (its domain) or organisation slug first, then off to the organisation's provider."""
    data = parse(SsoForm, form)
    identifier, next = data.identifier, data.next
    org = await run_in_threadpool(
        lambda: find_sso_organisation(session=session, identifier=identifier)
    )
    config = oidc_config(org, request.app.state.settings) if org else None
    if org is None or config is None:
        context = {
            "sso_error": "Single sign-on is not set up for that email address or organisation.",
            "identifier": identifier,
            "next": safe_next(next),
        }
        return render(request, "auth/login.html", context, status_code=400)
    request.session["sso"] = {"org": org.id, "next": safe_next(next)}
    redirect_uri = request.app.state.settings.base_url + "/login/sso/callback"
    try:
        return await client_for(org, config).authorize_redirect(request, redirect_uri)
    except (OAuthError, httpx.HTTPError, ValueError, KeyError) as exc:
        log.warning("SSO discovery failed for %s: %s", org.slug, exc)
        raise SsoRefused("Your identity provider could not be reached. Try again later.") from None


@public_router.get("/login/sso/callback")
async def sso_callback(request: Request, session: WriteSessionDep) -> Response:
    started = request.session.get("sso") or {}
    org = await run_in_threadpool(session.get, Organisation, started.get("org"))
    config = oidc_config(org, request.app.state.settings) if org else None
    if org is None or config is None:
        raise SsoRefused("Single sign-on was not started here. Start again from the sign-in page.")
    try:
        token = await client_for(org, config).authorize_access_token(request)
    except (OAuthError, JoseError, httpx.HTTPError, ValueError) as exc:
        log.warning("SSO callback refused for %s: %s", org.slug, exc)
        raise SsoRefused(
            "Single sign-on did not complete. Start again from the sign-in page."
        ) from None
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused("Your identity provider did not return an ID token.")
    user = await run_in_threadpool(
        lambda: sso_user(
            session=session,
            org=org,
            issuer=config.issuer,
            claims=dict(claims),
            ip=request_ip(request),
        )
    )
    await run_in_threadpool(lambda: start_session(request, user, session=session))
    return redirect(request, started.get("next", "/"))


@router.post("/logout")
def logout(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Ends the session on the server too: a copy of the cookie stops working."""
    end_session(request, session=session)
    flash(request, "You are signed out.")
    return redirect(request, "/login")


def _existing_account(session: SessionDep, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def _invitation_context(session: SessionDep, invitation: Invitation, **extra) -> dict:
    """What the page shows: a form to create the account, to prove an existing one, or why
    this address cannot accept (its account is of another kind)."""
    existing = _existing_account(session, invitation.email)
    joins_vendor = invitation.vendor_id is not None
    blocked = existing is not None and (not joins_vendor or not Role(existing.role).is_vendor)
    organisation = session.get(Organisation, invitation.organisation_id)
    return {
        "invitation": invitation,
        "existing": existing,
        "blocked": ACCOUNT_ELSEWHERE if blocked else None,
        "organisation": organisation.name if organisation and not joins_vendor else None,
        "policy": POLICY_TEXT,
        **extra,
    }


@public_router.get("/invitations/{token}")
def invitation_page(request: Request, session: SessionDep, token: str) -> Response:
    invitation = open_invitation(session=session, token=token)
    return render(request, "auth/invitation.html", _invitation_context(session, invitation))


@public_router.post("/invitations/{token}")
def invitation_accept(
    request: Request, session: SessionDep, token: str, form: PostedForm
) -> Response:
    """New people set a password; people with an account prove it with theirs."""
    data = parse(InvitationForm, form)
    password, name = data.password, data.name
    invitation = open_invitation(session=session, token=token)
    existing = _existing_account(session, invitation.email)
    ip = request_ip(request)
    error = None
    context = _invitation_context(session, invitation, name=name)
    if context["blocked"]:
        error = context["blocked"]
    elif existing is not None:
        if throttle.is_blocked(session=session, email=existing.email, ip=ip):
            error = throttle.THROTTLED_MESSAGE
        elif not verify_password(password, existing.password_hash):
            throttle.record_failure(session=session, email=existing.email, ip=ip)
            error = "That password is not correct."
    elif password != data.password_confirm:
        error = "The two passwords differ."
    else:
        error = password_problem(password, email=invitation.email)
    if error is None:
        try:
            user = accept_invitation(
                session=session,
                invitation=invitation,
                user=existing,
                name=name,
                password=password,
                ip=ip,
            )
        except InvalidInput as exc:
            error = exc.message
    if error is not None:
        return render(request, "auth/invitation.html", context | {"error": error}, status_code=422)
    if not user.active:  # re-invited after removal: the invitation vouches for them again
        user.active = True
        session.add(user)
    if user.totp_enabled:  # the invitation does not skip their second factor
        request.session.clear()
        request.session[PENDING] = {"uid": user.id, "at": int(time.time()), "next": "/"}
        return redirect(request, "/login/two-step")
    start_session(request, user, session=session)
    if invitation.vendor_id is None:
        flash(request, f"Welcome to Assay, {user.name}.")
    else:
        flash(request, "Welcome to Assay. You can now see the assessments your customers sent you.")
    return redirect(request, "/")
