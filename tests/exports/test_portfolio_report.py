"""The portfolio report PDF, opened with a PDF text extractor: the summary numbers, the builder,
and the service on a real portfolio (hundreds of vendors, filters, concentration)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from app.exports.portfolio_report import (
    MAX_NAMES,
    PortfolioReport,
    PortfolioVendor,
    ProviderShare,
    axis_max,
    build_portfolio_report,
    heat_map,
    maturity_distribution,
    severity_totals,
    tier_counts,
)
from app.exports.reports import export_portfolio_report, portfolio_report_data
from app.models import AuditEvent, Role
from app.register.service import RegisterFilters
from tests.exports.report_world import HOSTILE, NON_LATIN, flat, pdf_pages, pdf_text
from tests.factories import make_org, make_questionnaire, make_user
from tests.register.portfolio import add_scored_vendor, make_function

TODAY = date(2026, 6, 30)
HEADER = "Vendor Tier Maturity Residual risk Open findings Next review"


def _report(vendors, providers=(), **changes) -> PortfolioReport:
    values = dict(
        organisation="Harbour Bank",
        filters="none (whole portfolio)",
        vendors=list(vendors),
        providers=list(providers),
        single_providers=0,
        model_version="2026.1",
        today=TODAY,
        generated_at=datetime(2026, 6, 30, 12, 0, tzinfo=UTC),
        generated_by="Rita <rita@bank.example>",
    )
    values.update(changes)
    return PortfolioReport(**values)


VENDORS = [
    PortfolioVendor("Alpha SE", tier="critical", overall=2.4, verified=1.5, residual="high",
                    findings={"critical": 2, "high": 1}, next_review=date(2026, 5, 1)),
    PortfolioVendor("Beta Ltd", tier="critical", overall=4.2, verified=3.9, residual="low",
                    next_review=date(2027, 1, 1)),
    PortfolioVendor("Gamma AG", tier="low", overall=5.0, verified=4.0, residual="low",
                    findings={"low": 3}),
    PortfolioVendor("Delta plc"),
]  # fmt: skip


def test_summary_numbers():
    assert tier_counts(VENDORS) == {
        "critical": 2, "high": 0, "medium": 0, "low": 1, "not tiered": 1,
    }  # fmt: skip
    grid = heat_map(VENDORS)  # rows critical…low, columns low…critical
    assert grid[0] == [1, 0, 1, 0] and grid[3] == [1, 0, 0, 0] and sum(map(sum, grid)) == 3
    assert severity_totals(VENDORS) == {"critical": 2, "high": 1, "medium": 0, "low": 3}
    assert maturity_distribution(VENDORS) == {
        "0–1": 0, "1–2": 0, "2–3": 1, "3–4": 0, "4–5": 2, "not scored": 1,
    }  # fmt: skip
    assert [axis_max(n) for n in (0, 4, 5, 7, 19, 23, 444, 1000)] == [
        5, 5, 10, 10, 25, 50, 500, 2000,
    ]  # fmt: skip


def test_the_report_shows_summary_register_and_concentration():
    providers = [
        ProviderShare("model", "OpenAI", ["Alpha SE (critical)", "Beta Ltd (critical)"], ["F1 Payments"])
    ]  # fmt: skip
    pages = pdf_pages(build_portfolio_report(_report(VENDORS, providers, single_providers=2)))
    text = flat("\n".join(pages))
    assert "AI third-party risk portfolio" in text and "Harbour Bank" in text
    assert "Vendors by inherent tier" in text and "Residual risk by tier" in text
    assert "Open findings by severity" in text and "Overall maturity (0–5)" in text
    assert HEADER in text
    assert "Alpha SE" in text and "2.4 verified 1.5" in text and "2026-05-01 overdue" in text
    assert "3 2 critical, 1 high" in text and "not scored" in text
    assert "OpenAI model 2 Alpha SE (critical); Beta Ltd (critical) F1 Payments" in text
    assert "2 other provider(s) serve a single vendor each" in text
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_hundreds_of_vendors_take_many_pages_with_the_header_on_each():
    vendors = [
        PortfolioVendor(f"Vendor {n:03d} " + "with a long legal name " * (n % 3),
                        tier="high", overall=2.5, residual="medium", findings={"high": n % 4})
        for n in range(300)
    ]  # fmt: skip
    shared = ProviderShare("cloud", "AWS", [v.name for v in vendors])
    pages = pdf_pages(build_portfolio_report(_report(vendors, [shared])))
    register_pages = [p for p in pages if "Vendor 1" in p or "Vendor 2" in p]
    assert len(pages) >= 8 and len(register_pages) >= 6
    assert all(HEADER in flat(p) for p in register_pages)
    text = flat("\n".join(pages))
    assert all(f"Vendor {n:03d}" in text for n in range(300))
    assert f"and {300 - MAX_NAMES} more" in text  # a provider's vendor list stays one row


def test_hostile_and_non_latin_vendor_names_print_literally():
    vendors = [PortfolioVendor(HOSTILE, tier="high"), PortfolioVendor(NON_LATIN, tier="low")]
    text = flat(pdf_text(build_portfolio_report(_report(vendors, organisation="Société & Cie"))))
    assert HOSTILE in text and "Zürich Société" in text and "Société & Cie" in text


def test_an_empty_portfolio_still_makes_a_report():
    text = pdf_text(build_portfolio_report(_report([])))
    assert "No vendors match" in text and "No provider is shared" in text


# --- the service on a real portfolio -------------------------------------------------------------


@pytest.fixture
def portfolio(session: Session):
    org = make_org(session, name="Harbour Bank", slug="harbour")
    analyst = make_user(session, org, Role.risk_analyst)
    questionnaire = make_questionnaire(session)
    function = make_function(session, org, "F7")
    add_scored_vendor(session, org, analyst, name=NON_LATIN, tier="critical", overall=1.8,
                      residual="critical", findings={"critical": 2}, function=function,
                      questionnaire=questionnaire)  # fmt: skip
    add_scored_vendor(session, org, analyst, name="Plain Vendor SE", tier="low", overall=4.1,
                      residual="low", model_provider="Mistral", questionnaire=questionnaire)  # fmt: skip
    other = make_org(session, name="Rival Bank")
    add_scored_vendor(session, other, make_user(session, other, Role.risk_analyst),
                      name="Rival Vendor Ltd", questionnaire=questionnaire)  # fmt: skip
    session.commit()
    return org, analyst, questionnaire


def test_service_report_of_the_organisations_portfolio(session, portfolio):
    org, analyst, _ = portfolio
    report = export_portfolio_report(
        session=session,
        organisation_id=org.id,
        filters=RegisterFilters(),
        actor=analyst,
        generated_by="Tester",
    )
    text = flat(pdf_text(report.content))
    assert NON_LATIN.split(" Ω")[0] in text and "Plain Vendor SE" in text
    assert "Rival Vendor Ltd" not in text  # another organisation's vendor
    assert "1.8" in text and "2 2 critical" in text
    assert "AWS cloud 2" in text and "F7 Function F7" in text  # both vendors run on AWS
    assert report.filename.startswith("assay-portfolio-harbour-")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "register.exported")).one()
    assert event.object_id == "pdf" and event.data["vendors"] == 2
    assert event.data["sha256"] == hashlib.sha256(report.content).hexdigest()


def test_service_applies_the_register_filters(session, portfolio):
    org, *_ = portfolio
    data = portfolio_report_data(
        session=session,
        organisation_id=org.id,
        filters=RegisterFilters(residual="low"),
        generated_by="Tester",
    )
    assert [v.name for v in data.vendors] == ["Plain Vendor SE"]
    assert data.filters == "residual=low"
    assert [p.name for p in data.providers] == ["AWS"]  # concentration is portfolio-wide


def test_service_renders_three_hundred_vendors(session, portfolio):
    org, analyst, questionnaire = portfolio
    for n in range(300):
        add_scored_vendor(session, org, analyst, name=f"Bulk Vendor {n:03d} GmbH",
                          overall=1 + (n % 40) / 10, residual=("low", "medium", "high")[n % 3],
                          findings={"medium": n % 3}, questionnaire=questionnaire)  # fmt: skip
    session.commit()
    report = export_portfolio_report(
        session=session,
        organisation_id=org.id,
        filters=RegisterFilters(),
        actor=analyst,
        generated_by="Tester",
    )
    pages = pdf_pages(report.content)
    register_pages = [p for p in pages if "Bulk Vendor" in p]
    assert len(register_pages) >= 5
    assert all(HEADER in flat(p) for p in register_pages)
    text = flat("\n".join(pages))
    assert "Bulk Vendor 000 GmbH" in text and "Bulk Vendor 299 GmbH" in text
    assert "302 vendors" in text
