"""Templates, flash messages and htmx helpers shared by every page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from jinja2_fragments.fastapi import Jinja2Blocks

from app.auth.permissions import Permission, has_permission
from app.auth.sessions import csrf_token
from app.evidence.schemas import EVIDENCE_KINDS
from app.scoring.catalog import FRAMEWORK_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
templates = Jinja2Blocks(directory=str(PROJECT_ROOT / "templates"))
templates.env.globals["Permission"] = Permission
templates.env.globals["has_permission"] = has_permission
templates.env.globals["FRAMEWORK_LABELS"] = FRAMEWORK_LABELS
templates.env.globals["EVIDENCE_KINDS"] = EVIDENCE_KINDS


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def flash(request: Request, message: str, category: str = "success") -> None:
    request.session.setdefault("flashes", []).append([category, message])


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    return [tuple(item) for item in request.session.pop("flashes", [])]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a page, or one named block of it for htmx (the page and fragment never drift)."""
    ctx: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "flashes": pop_flashes(request),
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers, block_name=block
    )
    response.headers["Vary"] = "HX-Request"
    return response


def redirect(request: Request, url: str) -> Response:
    """HX-Redirect for htmx, 303 See Other for a plain form post."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url, "Vary": "HX-Request"})
    return RedirectResponse(url, status_code=303, headers={"Vary": "HX-Request"})


def download(file: IO[bytes], filename: str, media_type: str = XLSX) -> StreamingResponse:
    """Stream a rewound temporary file as an attachment, closing it once sent."""

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := file.read(64 * 1024):
                yield chunk
        finally:
            file.close()

    return StreamingResponse(
        chunks(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
