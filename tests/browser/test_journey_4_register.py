"""Journey 4: the analyst opens the risk register, sees the vendor's maturity, tier, residual risk
and findings, downloads the Excel register and the PDF reports, and the files say the same."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import col, select

from app.models import Finding, FindingStatus
from app.scoring.service import current_result
from tests.browser.conftest import sign_in
from tests.browser.story import completed_assessment

SEVERITY_ORDER = ["critical", "high", "medium", "low"]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _download(page, link) -> bytes:
    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert download.failure() is None
    with open(download.path(), "rb") as handle:
        return handle.read()


def test_analyst_reads_the_register_and_downloads_the_reports(
    page, live_server, session, settings, watch, shoot
):
    buyer, vendor, assessment, _ = completed_assessment(session, settings)
    session.commit()
    score = current_result(session=session, vendor_id=vendor.id)
    assert score is not None
    findings = session.exec(
        select(Finding)
        .where(Finding.vendor_id == vendor.id, col(Finding.status) != FindingStatus.closed)
        .order_by(col(Finding.id))
    ).all()
    assert findings, "the plan answers below target, so scoring opens findings"
    finding = min(findings, key=lambda f: SEVERITY_ORDER.index(f.severity))
    maturity = f"{score.overall_maturity:.1f}"

    # The register row: tier, maturity against target, residual risk, open findings.
    sign_in(page, live_server, buyer.analyst.email)
    page.get_by_role("link", name="Register", exact=True).click()
    row = page.locator(f"tr#vendor-{vendor.id}")
    expect(row.get_by_role("link", name=vendor.legal_name)).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text(f"Tier {score.inherent_tier}")
    expect(row.locator("span.level")).to_have_text(maturity)
    expect(row).to_contain_text(f"of {score.target_maturity}")
    expect(row.locator("td").nth(5)).to_have_text(f"Residual {score.residual_risk}")
    by_severity = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_ORDER}
    for severity, count in by_severity.items():
        if count:
            expect(row.locator(f".counts .badge.{severity}")).to_have_text(f"{count} {severity}")
    shoot("register")

    # The vendor's findings, one click from the register.
    row.locator(f".counts .badge.{finding.severity}").click()
    expect(page.get_by_role("heading", name="Findings", exact=False).first).to_be_visible()
    expect(page.locator("main")).to_contain_text(finding.title)
    shoot("findings")

    # The Excel register holds the same row and the findings.
    page.get_by_role("link", name="Register", exact=True).click()
    workbook = load_workbook(
        io.BytesIO(_download(page, page.get_by_role("link", name="Export to Excel")))
    )
    register = workbook["Register"]
    header = [cell.value for cell in register[1]]
    (line,) = [
        dict(zip(header, (cell.value for cell in r), strict=False))
        for r in register.iter_rows(min_row=2)
        if r[0].value == vendor.legal_name
    ]
    assert line["Tier"] == score.inherent_tier
    assert line["Residual risk"] == score.residual_risk
    assert round(line["Maturity (scored)"], 1) == round(score.overall_maturity, 1)
    assert line[f"Open {finding.severity}"] == by_severity[finding.severity]
    titles = [r[4].value for r in workbook["Findings"].iter_rows(min_row=2) if r[0].value]
    assert finding.title in titles

    # The portfolio PDF from the register page…
    portfolio = _pdf_text(_download(page, page.get_by_role("link", name="PDF report")))
    assert vendor.legal_name in portfolio
    assert maturity in portfolio

    # …and the assessment's own report from its score explanation.
    page.get_by_role("link", name=vendor.legal_name).click()
    expect(page.get_by_role("heading", name=vendor.legal_name)).to_be_visible()
    shoot("vendor-register")
    page.get_by_role("link", name="Score explanation").click()
    expect(page.locator(".stat-grid")).to_contain_text(maturity)
    shoot("score")
    report = _pdf_text(_download(page, page.get_by_role("link", name="Download PDF report")))
    assert vendor.legal_name in report
    assert maturity in report
    assert finding.title[:40] in " ".join(report.split())
    assert assessment.attestation["name"] in report
