"""The Register of Information page, its two downloads, and the JSON check.

A download of a register with blocking problems answers 409 with the page saying why, unless
the user asks for a draft (`?draft=1`). Every download is on the audit trail.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, WriteSessionDep, require
from app.errors import InvalidInput
from app.forms import PostedForm
from app.models import User
from app.problems import problems
from app.register.roi import snapshots
from app.register.roi.schemas import RoiCheckRead, reference_date
from app.register.roi.service import RegisterInvalid, RoiReport, export_roi, roi_report
from app.register.roi.spec import TEMPLATES
from app.web import download, redirect, render

router = APIRouter()
api_router = APIRouter(tags=["register"], responses=problems(401, 403))
Exporter = Annotated[User, require(Permission.export_reports)]
OptStr = Annotated[str | None, Query()]
RefDate = Annotated[date | None, Depends(reference_date)]
Level = Annotated[str | None, Query(max_length=20)]


def _levels(report: RoiReport) -> dict[str, str]:
    """The levels the register can be produced at: each entity alone, and the group."""
    data = report.built.data
    if len(data.entities) < 2 and not data.branches:
        return {}
    own = next((e for e in data.entities if e.maintains_register), data.entity)
    levels = {"": f"Individual: {own.name}"}
    for e in data.entities:
        if not e.maintains_register and e.lei:
            levels[e.lei] = f"Individual: {e.name}"
    levels["CON"] = "Consolidated: the group"
    return levels


def _context(
    report: RoiReport, ref_date: date | None, refused: str | None = None, level: str | None = None
) -> dict[str, Any]:
    by_template = {t.id: [] for t in TEMPLATES}
    for problem in report.problems:
        by_template[problem.template].append(problem)
    query = f"ref_date={ref_date.isoformat()}" if ref_date else ""
    return {
        "levels": _levels(report),
        "level": level or "",
        "report": report,
        "built": report.built,
        "groups": [(t, by_template[t.id]) for t in TEMPLATES if by_template[t.id]],
        "ref_date": ref_date.isoformat() if ref_date else "",
        "query": query,
        "refused": refused,
    }


@router.get("/register/roi")
def roi_page(
    request: Request, session: SessionDep, user: Exporter, ref_date: RefDate, level: Level = None
) -> Response:
    assert user.organisation_id is not None
    report = roi_report(
        session=session, organisation_id=user.organisation_id, ref_date=ref_date, level=level
    )
    return render(request, "register/roi.html", _context(report, ref_date, level=level))


def _download(
    request: Request,
    session: Session,
    user: User,
    fmt: str,
    ref_date: date | None,
    draft: str | None,
    level: str | None = None,
) -> Response:
    assert user.organisation_id is not None
    try:
        export = export_roi(
            session=session,
            organisation_id=user.organisation_id,
            fmt=fmt,
            actor=user,
            generated_by=f"{user.name} <{user.email}>",
            draft=draft in ("1", "yes", "true", "on"),
            ref_date=ref_date,
            base_url=request.app.state.settings.base_url,
            ip=request_ip(request),
            level=level,
        )
    except RegisterInvalid as exc:
        return render(
            request,
            "register/roi.html",
            _context(exc.report, ref_date, fmt, level),
            status_code=409,
        )
    return download(export.file, export.filename, export.media_type)


@router.get("/register/roi.zip")
def roi_package(
    request: Request,
    session: WriteSessionDep,
    user: Exporter,
    ref_date: RefDate,
    draft: OptStr = None,
    level: Level = None,
) -> Response:
    """The xBRL-CSV report package to submit to the competent authority, for one entity
    (`level` = its LEI; default the entity maintaining the register) or the group (`CON`)."""
    return _download(request, session, user, "zip", ref_date, draft, level)


@router.get("/register/roi.xlsx")
def roi_workbook(
    request: Request,
    session: WriteSessionDep,
    user: Exporter,
    ref_date: RefDate,
    draft: OptStr = None,
    level: Level = None,
) -> Response:
    """The same register as a workbook to review (a sheet per template, Problems, About)."""
    return _download(request, session, user, "xlsx", ref_date, draft, level)


# --- snapshots ------------------------------------------------------------------------------


def _snapshots_page(request: Request, session: Session, user: User, **extra: Any) -> Response:
    assert user.organisation_id is not None
    found = snapshots.list_snapshots(session=session, organisation_id=user.organisation_id)
    context = {"snapshots": found, "changes": None, "before_id": None, "after_id": None}
    return render(request, "register/roi_snapshots.html", context | extra)


@router.get("/register/roi/snapshots")
def roi_snapshots(request: Request, session: SessionDep, user: Exporter) -> Response:
    return _snapshots_page(request, session, user)


@router.post("/register/roi/snapshots")
def roi_freeze(request: Request, session: SessionDep, user: Exporter, form: PostedForm) -> Response:
    """Produce the register as at the posted reference date and freeze it."""
    assert user.organisation_id is not None
    try:
        ref_date = date.fromisoformat(str(form.get("ref_date", "")))
    except ValueError:
        raise InvalidInput("Give the reference date as YYYY-MM-DD.") from None
    level = str(form.get("level") or "").strip()[:20] or None
    try:
        snapshots.freeze_snapshot(
            session=session,
            organisation_id=user.organisation_id,
            ref_date=ref_date,
            actor=user,
            ip=request_ip(request),
            level=level,
        )
    except RegisterInvalid as exc:
        return render(
            request,
            "register/roi.html",
            _context(exc.report, ref_date, "zip", level),
            status_code=409,
        )
    return redirect(request, "/register/roi/snapshots")


@router.get("/register/roi/snapshots/compare")
def roi_compare(
    request: Request,
    session: SessionDep,
    user: Exporter,
    before: int | None = None,
    after: int | None = None,
) -> Response:
    """What changed between two snapshots (without both, the list to choose them from)."""
    assert user.organisation_id is not None
    if before is None or after is None:
        return _snapshots_page(request, session, user)
    org = user.organisation_id
    old = snapshots.get_snapshot(session=session, organisation_id=org, snapshot_id=before)
    new = snapshots.get_snapshot(session=session, organisation_id=org, snapshot_id=after)
    return _snapshots_page(
        request, session, user, changes=snapshots.compare(old, new), before=old, after=new,
        before_id=old.id, after_id=new.id,
    )  # fmt: skip


@router.get("/register/roi/snapshots/{snapshot_id}.zip")
def roi_snapshot_package(session: SessionDep, user: Exporter, snapshot_id: int) -> Response:
    """The frozen package, byte for byte as it was produced."""
    assert user.organisation_id is not None
    snapshot = snapshots.get_snapshot(
        session=session, organisation_id=user.organisation_id, snapshot_id=snapshot_id
    )
    return download(io.BytesIO(snapshot.package), snapshot.file_name, "application/zip")


@api_router.get(
    "/register/roi",
    response_model=RoiCheckRead,
    summary="Check the DORA Register of Information",
    responses=problems(422),
)
def roi_check(
    session: SessionDep, user: Exporter, ref_date: RefDate, level: Level = None
) -> RoiCheckRead:
    """What the export would contain (rows and filing indicator per template, arrangements left
    out) and every problem a supervisor would reject (`blocking`) or flag (`warning`), with the
    page to fix it on. `ref_date` (YYYY-MM-DD) defaults to 31 December of last year; `level` is
    an entity's LEI (individual) or `CON` (consolidated)."""
    assert user.organisation_id is not None
    report = roi_report(
        session=session, organisation_id=user.organisation_id, ref_date=ref_date, level=level
    )
    return RoiCheckRead.from_report(report)
