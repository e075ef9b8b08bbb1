"""/dashboard: the buyer's home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.permissions import Permission
from app.dashboard.view import dashboard_response
from app.deps import SessionDep, require
from app.models import User

router = APIRouter()
Reader = Annotated[User, require(Permission.view_portfolio)]


@router.get("/dashboard")
def dashboard_page(request: Request, session: SessionDep, user: Reader) -> Response:
    return dashboard_response(request, session, user)
