"""The vendor's Art. 30 clause checklist page: for each of its contracts with the buyer, whether
the signed contract has each mandatory clause, and where (docs/scoring.md rule 10)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, require
from app.errors import InvalidInput
from app.evidence.service import contact_vendor
from app.forms import PostedForm
from app.models import User
from app.register.clauses import checklists, state_clauses, statements_from_form
from app.scoring.clauses import CLAUSE_STATUSES, STATUS_LABELS
from app.web import flash, redirect, render

router = APIRouter(tags=["portal"])
Answerer = Annotated[User, require(Permission.answer_assessments)]
PAGE = "portal/clauses.html"


def _page(request: Request, session, vendor, problems=(), status_code: int = 200) -> Response:
    return render(
        request,
        PAGE,
        {
            "vendor": vendor,
            "checklists": checklists(session=session, vendor=vendor),
            "statuses": [(s, STATUS_LABELS[s]) for s in CLAUSE_STATUSES],
            "problems": list(problems),
        },
        status_code=status_code,
    )


@router.get("/portal/vendors/{vendor_id}/clauses")
def clauses_page(request: Request, vendor_id: int, user: Answerer, session: SessionDep) -> Response:
    vendor = contact_vendor(session=session, user=user, vendor_id=vendor_id)
    return _page(request, session, vendor)


@router.post("/portal/vendors/{vendor_id}/clauses/{contract_id}")
def clauses_save(
    request: Request,
    vendor_id: int,
    contract_id: int,
    user: Answerer,
    session: SessionDep,
    form: PostedForm,
) -> Response:
    vendor = contact_vendor(session=session, user=user, vendor_id=vendor_id)
    try:
        changed = state_clauses(
            session=session,
            actor=user,
            vendor=vendor,
            contract_id=contract_id,
            statements=statements_from_form(form, "status", "reference"),
            ip=request_ip(request),
        )
    except InvalidInput as exc:
        return _page(request, session, vendor, exc.details or [exc.message], status_code=422)
    flash(
        request,
        f"Saved {changed} clause statement(s). Our reviewer confirms them against the contract.",
    )
    return redirect(request, f"/portal/vendors/{vendor.id}/clauses")
