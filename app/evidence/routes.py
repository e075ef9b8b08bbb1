"""Evidence pages: a vendor's library, uploads (streamed), downloads and previews.

The upload route is on its own router: it reads the request body as a stream and opens its unit
of work only after the file has arrived, so a slow upload never holds the database write lock,
and it checks the CSRF token itself (header, or the form's first field) without buffering a form.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

import anyio.from_thread
from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from app.audit.service import request_ip
from app.auth.permissions import Permission, has_permission
from app.auth.sessions import CSRF_FIELD, CSRF_HEADER, csrf_valid
from app.config import Settings, get_settings
from app.db import session_scope
from app.deps import CurrentUser, SessionDep, current_user, require
from app.errors import Forbidden, InvalidInput, TooLarge
from app.evidence import filetypes, service
from app.evidence.formdata import StreamingForm
from app.evidence.schemas import EvidenceDetails, EvidenceRead, ValidUntilForm
from app.evidence.storage import READ_CHUNK, EvidenceStore, store_for
from app.evidence.upload import describe_limit, receive_upload
from app.forms import FieldErrors, PostedForm, parse
from app.models import Evidence, Role, User, Vendor, utcnow
from app.web import flash, is_htmx, redirect, render

router = APIRouter(tags=["evidence"])
upload_router = APIRouter(tags=["evidence"])

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields before the file
PREVIEW_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)

VendorAnswerer = Annotated[User, require(Permission.answer_assessments)]
PortfolioViewer = Annotated[User, require(Permission.view_portfolio)]


def app_settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or get_settings()


def evidence_store(request: Request) -> EvidenceStore:
    """The app's evidence store: `app.state.evidence_store` if set (another backend), else disk."""
    store = getattr(request.app.state, "evidence_store", None)
    return store or store_for(app_settings(request))


def _today() -> date:
    return utcnow().date()


# --- pages ------------------------------------------------------------------------------------


@router.get("/evidence")
def evidence_home(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Vendors: their libraries. Buyers: certificates and reports expired or expiring soon."""
    today = _today()
    if Role(user.role).is_vendor:
        vendors = service.contact_vendors(session=session, user=user)
        if len(vendors) == 1:
            return redirect(request, f"/vendors/{vendors[0].id}/evidence")
        return render(request, "evidence/index.html", {"vendors": vendors, "expiring": []})
    if not has_permission(user.role, Permission.view_portfolio):
        raise Forbidden("Your role does not allow this.")
    expiring = service.expiring_evidence(
        session=session, organisation_id=user.organisation_id, today=today
    )
    return render(
        request,
        "evidence/index.html",
        {
            "vendors": [],
            "expiring": [(e, v, service.validity(e.valid_until, today=today)) for e, v in expiring],
        },
    )


@router.get("/vendors/{vendor_id}/evidence")
def library(request: Request, vendor_id: int, user: CurrentUser, session: SessionDep) -> Response:
    vendor = service.visible_vendor(session=session, user=user, vendor_id=vendor_id)
    return _render_library(request, session, user, vendor.id)


def _render_library(
    request: Request, session: Session, user: User, vendor_id: int, *, block: str | None = None
) -> Response:
    vendor = session.get(Vendor, vendor_id)
    today = _today()
    items = service.evidence_library(session=session, vendor_id=vendor_id)
    contact = service.is_contact(session=session, user=user, vendor_id=vendor_id)
    limit = app_settings(request).upload_limit_bytes
    return render(
        request,
        "evidence/library.html",
        {
            "vendor": vendor,
            "items": [(e, service.validity(e.valid_until, today=today)) for e in items],
            "can_upload": contact,
            "uses": service.uses_of(session=session, vendor_id=vendor_id),
            "open_assessments": service.open_assessments(session=session, vendor_id=vendor_id)
            if contact
            else [],
            "can_preview": has_permission(user.role, Permission.view_portfolio),
            "previewable": {t.media_type for t in filetypes.ACCEPTED if t.previewable},
            "accept": filetypes.ACCEPT_ATTRIBUTE,
            "accepted_summary": filetypes.ACCEPTED_SUMMARY,
            "limit_bytes": limit,
            "limit_label": describe_limit(limit),
        },
        block=block,
    )


@router.post("/evidence/{evidence_id}/valid-until")
def update_valid_until(
    request: Request,
    evidence_id: int,
    user: VendorAnswerer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    evidence = service.visible_evidence(session=session, user=user, evidence_id=evidence_id)
    try:
        valid_until = parse(ValidUntilForm, form).valid_until
    except FieldErrors:
        raise InvalidInput("Enter the date as YYYY-MM-DD, or leave it empty.") from None
    service.set_valid_until(
        session=session,
        actor=user,
        evidence=evidence,
        valid_until=valid_until,
        ip=request_ip(request),
    )
    if is_htmx(request):
        return _render_library(request, session, user, evidence.vendor_id, block="library")
    flash(request, f"Saved the validity date of “{evidence.title or evidence.filename}”.")
    return redirect(request, f"/vendors/{evidence.vendor_id}/evidence")


# --- files ------------------------------------------------------------------------------------


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266 with an ASCII fallback and the exact UTF-8 name in filename* (RFC 5987)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _file_response(request: Request, evidence: Evidence, *, inline: bool) -> Response:
    store = evidence_store(request)
    try:
        handle = store.open(evidence.storage_key)
    except (OSError, ValueError):
        raise InvalidInput(
            "The stored file is missing; an administrator can check it with "
            "`assay evidence verify`."
        ) from None

    def chunks() -> Iterator[bytes]:
        with handle:
            while chunk := handle.read(READ_CHUNK):
                yield chunk

    headers = {
        "Content-Disposition": content_disposition(
            "inline" if inline else "attachment", evidence.filename
        ),
        "Content-Length": str(evidence.size),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    if inline:  # shown in the review page's frame, so framing by Assay itself is allowed
        headers["Content-Security-Policy"] = PREVIEW_CSP
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return StreamingResponse(chunks(), media_type=evidence.media_type, headers=headers)


@router.get("/evidence/{evidence_id}/download")
def download(
    request: Request, evidence_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """The file as an attachment: for the vendor's contacts and its buyer's users only."""
    evidence = service.visible_evidence(session=session, user=user, evidence_id=evidence_id)
    return _file_response(request, evidence, inline=False)


@router.get("/evidence/{evidence_id}/preview")
def preview(
    request: Request, evidence_id: int, user: PortfolioViewer, session: SessionDep
) -> Response:
    """PDFs and images shown in the browser for buyers, sandboxed by CSP."""
    evidence = service.visible_evidence(session=session, user=user, evidence_id=evidence_id)
    previewable = {t.media_type for t in filetypes.ACCEPTED if t.previewable}
    if evidence.media_type not in previewable:
        return _file_response(request, evidence, inline=False)
    return _file_response(request, evidence, inline=True)


# --- upload -----------------------------------------------------------------------------------


def upload_user(request: Request, background: BackgroundTasks) -> User:
    """The signed-in vendor contact, read without taking the write lock; 403 without the role."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        user = current_user(request, session, get_settings(), background)
    if not has_permission(user.role, Permission.answer_assessments):
        raise Forbidden("Your role does not allow this.")
    return user


upload_user.permission = Permission.answer_assessments  # type: ignore[attr-defined]


def _body_chunks(request: Request) -> Iterator[bytes]:
    """The request body, chunk by chunk as it arrives, from this worker thread."""
    stream = request.stream()
    try:
        while True:
            try:
                chunk = anyio.from_thread.run(stream.__anext__)
            except StopAsyncIteration:
                return
            except ClientDisconnect:
                raise InvalidInput(
                    "The upload was interrupted before the file was complete."
                ) from None
            if chunk:
                yield chunk
    finally:
        anyio.from_thread.run(stream.aclose)


def _check_csrf(request: Request, submitted: str | None) -> None:
    if request.headers.get("authorization"):  # API token: no cookie, no CSRF (as verify_csrf)
        return
    if not csrf_valid(request, submitted):
        raise Forbidden(
            "The form expired or did not come from Assay. Reload the page and try again."
        )


@upload_router.post("/vendors/{vendor_id}/evidence", status_code=201)
def upload(
    request: Request, vendor_id: int, user: Annotated[User, Depends(upload_user)]
) -> Response:
    """Stream one file into the vendor's library (multipart: fields first, file last)."""
    header_token = request.headers.get(CSRF_HEADER)
    if header_token is not None:
        _check_csrf(request, header_token)
    engine = request.app.state.engine
    with Session(engine) as session:
        service.contact_vendor(session=session, user=user, vendor_id=vendor_id)
    limit = app_settings(request).upload_limit_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit + FORM_OVERHEAD:
        raise TooLarge(
            f"The file is larger than the {describe_limit(limit)} upload limit. "
            "Split it or compress it, then upload it again."
        )
    body = _body_chunks(request)
    try:
        return _receive(request, vendor_id, user, body, header_token=header_token, limit=limit)
    finally:
        body.close()  # hand the request stream back from this worker thread


def _receive(
    request: Request,
    vendor_id: int,
    user: User,
    body: Iterator[bytes],
    *,
    header_token: str | None,
    limit: int,
) -> Response:
    engine = request.app.state.engine
    form = StreamingForm(request.headers.get("content-type", ""), body)
    fields, filename = form.read_until_file()
    if header_token is None:
        _check_csrf(request, fields.get(CSRF_FIELD))
    details = parse(EvidenceDetails, fields)
    if not filename:
        raise InvalidInput("Choose a file to upload.")
    store = evidence_store(request)
    received = receive_upload(
        store=store, filename=filename, chunks=form.file_chunks(), limit=limit
    )
    try:
        with session_scope(engine) as session:
            evidence, created = service.record_upload(
                session=session,
                actor=user,
                vendor_id=vendor_id,
                received=received,
                kind=details.kind,
                title=details.title,
                valid_until=details.valid_until,
                ip=request_ip(request),
            )
    except BaseException:
        service.discard_unreferenced_blob(
            bind=engine, store=store, storage_key=received.blob.storage_key
        )
        raise
    if "application/json" in request.headers.get("accept", "").split(",")[0]:
        body = EvidenceRead.model_validate(evidence).model_dump(mode="json")
        return JSONResponse(body | {"created": created}, status_code=201 if created else 200)
    if created:
        flash(request, f"Uploaded “{evidence.filename}”.")
    else:
        flash(request, f"This file is already in the library as “{evidence.filename}”.", "info")
    if details.assessment_id and details.question_key:
        # From a question's upload form: on to the questions it covers, that one ticked (the
        # portal page checks the assessment is the user's).
        return redirect(
            request,
            f"/portal/assessments/{details.assessment_id}/evidence/{evidence.id}"
            f"?{urlencode({'also': details.question_key})}",
        )
    return redirect(request, f"/vendors/{vendor_id}/evidence")
