"""The audit trail for auditors: filter, page through, verify and export their organisation's chain."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.audit.export import XLSX_MEDIA_TYPE, write_csv, write_xlsx
from app.audit.present import data_lines
from app.audit.schemas import AuditFilter
from app.audit.service import chain_for, record, request_ip, trail_events, trail_page, verify
from app.auth.permissions import Permission
from app.deps import SessionDep, WriteSessionDep, require
from app.errors import Forbidden
from app.models import User
from app.web import is_htmx, render

router = APIRouter(prefix="/audit", tags=["audit"])

Auditor = Annotated[User, require(Permission.view_audit)]
Filters = Annotated[AuditFilter, Query()]
PAGE_SIZE = 50


def _organisation_id(user: User) -> int:
    """Each organisation has its own chain; an account outside any organisation sees none."""
    if user.organisation_id is None:
        raise Forbidden("Your account does not belong to an organisation.")
    return user.organisation_id


@router.get("")
def trail(
    request: Request,
    user: Auditor,
    session: SessionDep,
    filters: Filters,
    before: int | None = None,
    after: int | None = None,
) -> Response:
    organisation_id = _organisation_id(user)
    page = trail_page(
        session=session,
        organisation_id=organisation_id,
        filters=filters,
        before=before,
        after=after,
        limit=PAGE_SIZE,
    )
    context = {
        "filters": filters,
        "query": filters.query_items(),
        "page": page,
        "lines": {event.id: data_lines(event.data) for event in page.events},
    }
    fragment = is_htmx(request) and not request.headers.get("HX-History-Restore-Request")
    if fragment:
        return render(request, "audit/trail.html", context, block="results")
    context["report"] = verify(session=session, chain=chain_for(organisation_id))
    return render(request, "audit/trail.html", context)


def _export(
    request: Request, user: User, session, filters: AuditFilter, kind: str
) -> tuple[list, str]:
    organisation_id = _organisation_id(user)
    events = list(trail_events(session=session, organisation_id=organisation_id, filters=filters))
    record(
        session=session,
        action="audit.exported",
        actor=user,
        organisation_id=organisation_id,
        object_type="audit_trail",
        data={"format": kind, "filters": filters.query_items(), "events": len(events)},
        ip=request_ip(request),
    )
    return events, f"audit-trail-{date.today().isoformat()}.{kind}"


@router.get("/export.xlsx")
def export_xlsx(
    request: Request, user: Auditor, session: WriteSessionDep, filters: Filters
) -> Response:
    events, filename = _export(request, user, session, filters, "xlsx")
    return Response(
        write_xlsx(events),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/export.csv")
def export_csv(
    request: Request, user: Auditor, session: WriteSessionDep, filters: Filters
) -> Response:
    events, filename = _export(request, user, session, filters, "csv")
    return Response(
        write_csv(events),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
