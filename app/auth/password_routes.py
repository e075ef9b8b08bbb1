"""Forgotten password (public): ask for a link by email, then choose a new password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit.service import request_ip
from app.auth.password_reset import complete_reset, open_reset, request_reset
from app.auth.passwords import POLICY_TEXT
from app.auth.schemas import ForgotPasswordForm, NewPasswordForm
from app.deps import SessionDep
from app.forms import FieldErrors, PostedForm, parse
from app.web import flash, redirect, render

public_router = APIRouter(tags=["auth"])

SENT = (
    "If {email} belongs to an Assay account that signs in with a password, an email with a "
    "link is on its way. The link works once, for 30 minutes."
)


@public_router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "auth/forgot.html", {})


@public_router.post("/password/forgot")
def forgot(request: Request, session: SessionDep, form: PostedForm) -> Response:
    """The same answer for every address, known or not."""
    email = parse(ForgotPasswordForm, form).email.strip()
    request_reset(
        session=session, email=email, settings=request.app.state.settings, ip=request_ip(request)
    )
    return render(request, "auth/forgot.html", {"sent": SENT.format(email=email)})


@public_router.get("/password/reset/{token}")
def reset_page(request: Request, session: SessionDep, token: str) -> Response:
    _, user = open_reset(session=session, token=token)
    return render(request, "auth/reset.html", {"email": user.email, "policy": POLICY_TEXT})


@public_router.post("/password/reset/{token}")
def reset(request: Request, session: SessionDep, token: str, form: PostedForm) -> Response:
    data = parse(NewPasswordForm, form)
    try:
        user = complete_reset(
            session=session,
            token=token,
            password=data.password,
            confirm=data.password_confirm,
            ip=request_ip(request),
        )
    except FieldErrors as exc:
        _, user = open_reset(session=session, token=token)
        context = {"email": user.email, "policy": POLICY_TEXT, "errors": exc.errors}
        return render(request, "auth/reset.html", context, status_code=422)
    request.session.clear()
    flash(request, "Your password is changed. Sign in with it.")
    return redirect(request, "/login")
