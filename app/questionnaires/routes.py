"""The questionnaire library in the browser: versions, contents, coverage, diffs and uploads."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import yaml
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from app.audit.service import record, request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, WriteSessionDep, require
from app.errors import NotFound
from app.models import Questionnaire, User
from app.questionnaires.coverage import coverage_matrix, write_coverage_xlsx
from app.questionnaires.diff import diff_questionnaires
from app.questionnaires.loader import QuestionnaireError, definition_dict
from app.questionnaires.service import available_questionnaires, compiled, upload_questionnaire
from app.questionnaires.workbook import definition_to_xlsx
from app.web import flash, redirect, render

router = APIRouter(prefix="/questionnaires", tags=["questionnaires"])

Viewer = Annotated[User, require(Permission.view_portfolio)]
Manager = Annotated[User, require(Permission.manage_questionnaires)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_LIMIT = 5 * 1024 * 1024


def _visible(session: Session, user: User, questionnaire_id: int) -> Questionnaire:
    row = session.get(Questionnaire, questionnaire_id)
    if row is None or row.organisation_id not in (None, user.organisation_id):
        raise NotFound("No such questionnaire.")
    return row


def _record_export(
    request: Request, session: Session, user: User, row: Questionnaire, kind: str
) -> None:
    record(
        session=session,
        action="questionnaire.exported",
        actor=user,
        object_type="questionnaire",
        object_id=row.id,
        data={"format": kind},
        ip=request_ip(request),
    )


def _download(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("")
def library(request: Request, session: SessionDep, user: Viewer) -> Response:
    rows = available_questionnaires(session=session, organisation_id=user.organisation_id)
    return render(request, "questionnaires/library.html", {"rows": rows, "problems": []})


@router.post("/upload")
async def upload(
    request: Request, session: SessionDep, user: Manager, file: Annotated[UploadFile, File()]
) -> Response:
    content = await file.read(UPLOAD_LIMIT + 1)
    try:
        row = upload_questionnaire(
            session=session, actor=user, filename=file.filename or "upload", content=content
        )
    except QuestionnaireError as exc:
        rows = available_questionnaires(session=session, organisation_id=user.organisation_id)
        return render(
            request,
            "questionnaires/library.html",
            {"rows": rows, "problems": [str(p) for p in exc.problems], "filename": file.filename},
            status_code=422,
        )
    flash(request, f"Published {row.title} v{row.version} ({row.question_count} questions).")
    return redirect(request, f"/questionnaires/{row.id}")


@router.get("/diff")
def diff(
    request: Request, session: SessionDep, user: Viewer, a: int | None = None, b: int | None = None
) -> Response:
    if a is None or b is None:
        return redirect(request, "/questionnaires")
    first, second = _visible(session, user, a), _visible(session, user, b)
    result = diff_questionnaires(compiled(first).definition, compiled(second).definition)
    return render(request, "questionnaires/diff.html", {"a": first, "b": second, "diff": result})


@router.get("/{questionnaire_id}")
def detail(request: Request, session: SessionDep, user: Viewer, questionnaire_id: int) -> Response:
    row = _visible(session, user, questionnaire_id)
    definition = compiled(row).definition
    rows = coverage_matrix([definition])
    others = [
        r
        for r in available_questionnaires(session=session, organisation_id=user.organisation_id)
        if r.key == row.key and r.id != row.id
    ]
    return render(
        request,
        "questionnaires/detail.html",
        {
            "row": row,
            "definition": definition,
            "covered": sum(r.covered for r in rows),
            "items": len(rows),
            "others": others,
        },
    )


@router.get("/{questionnaire_id}/definition.xlsx")
def definition_xlsx(session: WriteSessionDep, user: Viewer, questionnaire_id: int) -> Response:
    row = _visible(session, user, questionnaire_id)
    record(
        session=session,
        action="questionnaire.exported",
        actor=user,
        object_type="questionnaire",
        object_id=row.id,
        data={"format": "xlsx"},
    )
    return _download(
        definition_to_xlsx(compiled(row).definition), f"{row.key}-v{row.version}.xlsx", XLSX
    )


@router.get("/{questionnaire_id}/definition.yaml")
def definition_yaml(
    request: Request, session: WriteSessionDep, user: Viewer, questionnaire_id: int
) -> Response:
    row = _visible(session, user, questionnaire_id)
    _record_export(request, session, user, row, "yaml")
    text = yaml.safe_dump(
        definition_dict(compiled(row).definition), sort_keys=False, allow_unicode=True, width=100
    )
    return _download(text.encode(), f"{row.key}-v{row.version}.yaml", "application/yaml")


@router.get("/{questionnaire_id}/coverage.xlsx")
def coverage_xlsx(
    request: Request, session: WriteSessionDep, user: Viewer, questionnaire_id: int
) -> Response:
    row = _visible(session, user, questionnaire_id)
    _record_export(request, session, user, row, "coverage.xlsx")
    with tempfile.TemporaryDirectory() as folder:
        path = write_coverage_xlsx(
            coverage_matrix([compiled(row).definition]), Path(folder) / "coverage.xlsx"
        )
        content = path.read_bytes()
    return _download(content, f"{row.key}-v{row.version}-coverage.xlsx", XLSX)
