"""The RoI service: the demo register is clean, the reference date rule, and the refusal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from app.demo import DEMO_ORG_SLUG, load_demo
from app.models import AuditEvent, Organisation
from app.register.roi.data import default_ref_date
from app.register.roi.service import RegisterInvalid, export_roi, roi_report
from tests.register.roi_data import make_roi_portfolio


@pytest.mark.parametrize(
    ("today", "ref_date"),
    [
        (date(2025, 4, 30), date(2025, 3, 31)),  # the first cycle
        (date(2026, 1, 15), date(2025, 12, 31)),
        (date(2026, 12, 1), date(2025, 12, 31)),
        (date(2027, 3, 31), date(2026, 12, 31)),
    ],
)
def test_the_reference_date_is_31_december_of_the_year_before(today, ref_date):
    assert default_ref_date(today) == ref_date


def test_the_demo_register_has_no_blocking_problem(engine, settings):
    load_demo(engine, settings)
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.slug == DEMO_ORG_SLUG)).one()
        report = roi_report(session=session, organisation_id=org.id, today=date(2026, 12, 1))
    # No warning either: the AI model providers behind critical services are in their supply
    # chains, nothing is dated after the reference date, every arrangement is assessed.
    assert report.problems == [], [p.line() for p in report.problems]
    tables = report.built.tables
    assert len(tables["B_02.01"].rows) >= 10
    assert {r.values["c0050"] for r in tables["B_05.02"].rows} >= {"1", "2", "3"}
    assert "eba_CO:x3" in {r.values["c0020"] for r in tables["B_02.01"].rows}
    # the prospective vendor's arrangement starts once it is onboarded, in 2027
    assert [e.reason for e in report.built.excluded] == [
        "it starts after the reference date 2025-12-31"
    ]


def test_an_invalid_register_is_refused_and_nothing_is_recorded(session: Session):
    portfolio = make_roi_portfolio(session)
    portfolio.hosting.function_id = None
    session.add(portfolio.hosting)
    session.flush()
    with pytest.raises(RegisterInvalid) as refused:
        export_roi(
            session=session, organisation_id=portfolio.org.id, fmt="zip", actor=None,
            generated_by="test",
        )  # fmt: skip
    assert refused.value.status_code == 409
    assert refused.value.details == [
        "[805] B_02.02 c0050: “Function identifier” is empty for arrangement ACME-001 with "
        f"{portfolio.cloudy.legal_name}, and it is part of the key of B_02.02. Set the “Business "
        "function supported” of the arrangement."
    ]
    assert session.exec(select(AuditEvent)).all() == []
    draft = export_roi(
        session=session, organisation_id=portfolio.org.id, fmt="xlsx", actor=None,
        generated_by="test", draft=True,
    )  # fmt: skip
    with draft.file:
        assert draft.file.read(2) == b"PK"
    assert draft.filename.startswith("DRAFT_") and draft.filename.endswith(".xlsx")
    [event] = session.exec(select(AuditEvent)).all()
    assert (event.action, event.object_id, event.data["draft"]) == (
        "register.roi_exported", "roi.xlsx", True,
    )  # fmt: skip
