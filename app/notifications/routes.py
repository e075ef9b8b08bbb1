"""Settings → Outbox (admins): every email of the organisation with its delivery state, and
each message as it was sent, so a demo's invitations can be read and followed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.permissions import Permission
from app.deps import SessionDep, require
from app.models import User
from app.notifications.outbox import delivery_state, linked_text, outbox_email, outbox_page
from app.web import is_htmx, render

router = APIRouter(tags=["outbox"])
Admin = Annotated[User, require(Permission.manage_users)]
PATH = "/settings/outbox"


@router.get(PATH, summary="The organisation's outbox")
def outbox(
    request: Request,
    session: SessionDep,
    user: Admin,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    listing = outbox_page(session=session, user=user, page=page)
    context = {
        "listing": listing,
        "state": delivery_state,
        "development": request.app.state.settings.environment == "development",
    }
    block = "emails" if is_htmx(request) else None  # the pagination swaps the table only
    return render(request, "notifications/outbox.html", context, block=block)


@router.get(PATH + "/{email_id}", summary="One email as it was sent")
def outbox_message(request: Request, email_id: int, session: SessionDep, user: Admin) -> Response:
    settings = request.app.state.settings
    email = outbox_email(session=session, user=user, email_id=email_id)
    body = linked_text(
        email.text_body,
        base_url=settings.base_url,
        show_links=settings.environment == "development",
    )
    return render(
        request,
        "notifications/email.html",
        {"email": email, "state": delivery_state(email), "body": body},
    )
