"""The score explanation of an assessment (/assessments/{id}/score) and its "Re-score" action."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.assessments.service import get_assessment
from app.audit.service import request_ip
from app.auth.permissions import Permission
from app.deps import SessionDep, require
from app.models import User, Vendor
from app.questionnaires.service import questionnaire_of
from app.scoring import CAP_REASONS, LEVEL_NAMES
from app.scoring.explain import BASIS_LABELS, explanation_view
from app.scoring.service import latest_result_for, score_assessment_and_store, stored_result
from app.web import flash, redirect, render

router = APIRouter()
Reader = Annotated[User, require(Permission.view_portfolio)]
Scorer = Annotated[User, require(Permission.review_assessments)]


@router.get("/assessments/{assessment_id}/score")
def score_page(request: Request, session: SessionDep, user: Reader, assessment_id: int) -> Response:
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    row = latest_result_for(session=session, assessment_id=assessment.id)
    result = stored_result(row) if row else None
    view = explanation_view(
        session=session,
        result=result,
        questionnaire=questionnaire_of(session=session, assessment=assessment),
    )
    return render(
        request,
        "scoring/score.html",
        {
            "assessment": assessment,
            "vendor": session.get(Vendor, assessment.vendor_id),
            "row": row,
            "result": result,
            "view": view,
            "cap_reasons": CAP_REASONS,
            "basis_labels": BASIS_LABELS,
            "level_names": LEVEL_NAMES,
        },
    )


@router.post("/assessments/{assessment_id}/score")
def rescore(request: Request, session: SessionDep, user: Scorer, assessment_id: int) -> Response:
    """The analysts' "Re-score": as of today, with the answers and evidence verdicts as they are."""
    assessment = get_assessment(session=session, user=user, assessment_id=assessment_id)
    row = score_assessment_and_store(
        session=session, assessment=assessment, actor=user, ip=request_ip(request)
    )
    flash(
        request,
        f"Re-scored: overall maturity {row.overall_maturity:.1f}, residual risk {row.residual_risk}.",
    )
    return redirect(request, f"/assessments/{assessment.id}/score")
