"""The buyer's reviewer confirms a vendor's Art. 30 clause checklist against the signed contract,
on the vendor's register page (templates/register/_clauses.html)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, require
from app.errors import InvalidInput
from app.forms import PostedForm
from app.models import User, Vendor
from app.register.clauses import checklists, confirm_clauses, statements_from_form
from app.scoring.clauses import CLAUSE_STATUSES, STATUS_LABELS
from app.web import flash, redirect

router = APIRouter(tags=["register"])
Reviewer = Annotated[User, require(Permission.review_assessments)]


def clause_context(*, session: Session, vendor: Vendor) -> dict[str, Any]:
    """What the checklist partial reads."""
    return {
        "checklists": checklists(session=session, vendor=vendor),
        "statuses": [(s, STATUS_LABELS[s]) for s in CLAUSE_STATUSES],
    }


@router.post("/register/vendors/{vendor_id}/contracts/{contract_id}/clauses")
def confirm(
    request: Request,
    vendor_id: int,
    contract_id: int,
    user: Reviewer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    try:
        changed = confirm_clauses(
            session=session,
            actor=user,
            vendor_id=vendor_id,
            contract_id=contract_id,
            confirmations=statements_from_form(form, "confirmed", "note"),
            ip=request_ip(request),
        )
    except InvalidInput as exc:
        flash(request, exc.message, "error")
        return redirect(request, f"/register/vendors/{vendor_id}#clauses")
    flash(request, f"Confirmed {changed} clause(s). Re-score the vendor to update its findings.")
    return redirect(request, f"/register/vendors/{vendor_id}#clauses")
