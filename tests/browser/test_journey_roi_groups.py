"""The analyst records the group behind the Register of Information (an intra-group ICT company
and a branch), is refused an LEI already in the register, says which arrangement the branch
uses, and downloads the consolidated package; its CSVs carry the group."""

from __future__ import annotations

import csv
import io
import zipfile

from playwright.sync_api import expect

from app.models import Role
from app.vendors.identifiers import lei_with_check_digits
from tests.browser.conftest import flash, sign_in
from tests.factories import make_user
from tests.register.roi_data import make_roi_portfolio

IT_LEI = lei_with_check_digits("529900JOURNEYITSV0")


def _csv(package: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    [path] = [n for n in package.namelist() if n.endswith(f"/reports/{name}")]
    return list(csv.DictReader(io.StringIO(package.read(path).decode("utf-8"))))


def test_analyst_records_the_group_and_downloads_the_consolidated_register(
    page, live_server, session, shoot, watch
):
    portfolio = make_roi_portfolio(session)
    analyst = make_user(session, portfolio.org, Role.risk_analyst)
    session.commit()
    sign_in(page, live_server, analyst.email)
    page.goto(f"{live_server}/register/roi?ref_date=2025-12-31")
    expect(page.locator("#field-level")).to_have_count(0)  # standalone: no level to choose
    page.get_by_role("link", name="Entities and branches of the register").click()

    # an LEI already in the register is refused, with the form kept
    watch.expect_status(422)
    page.get_by_text("Add an entity of the group").click()
    form = page.locator("#entity-form")
    form.get_by_label("Name of the entity").fill("Acme IT Services GmbH")
    form.get_by_label("LEI").fill(portfolio.org.lei)
    form.get_by_label("Country").fill("DE")
    form.get_by_label("Type of entity").select_option("x317")
    form.get_by_label("Direct parent undertaking").select_option(label="Acme Bank AG")
    form.get_by_role("button", name="Add the entity").click()
    expect(form).to_contain_text(f"Acme Bank AG already has the LEI {portfolio.org.lei}")
    shoot("refused-lei")
    form.get_by_label("LEI").fill(IT_LEI)
    form.get_by_role("button", name="Add the entity").click()
    expect(flash(page)).to_contain_text("Acme IT Services GmbH added")

    page.get_by_text("Add a branch").click()
    branch = page.locator("#branch-form")
    branch.get_by_label("Identification code of the branch").fill("FR-PAR")
    branch.get_by_label("Name of the branch").fill("Acme Bank AG, Paris branch")
    branch.get_by_label("Country").fill("FR")
    branch.get_by_label("Head office").select_option(label="Acme Bank AG")
    branch.get_by_role("button", name="Add the branch").click()
    expect(page.locator("#branches")).to_contain_text("FR-PAR")

    page.locator("#arrangements").get_by_role("link", name="ACME-001", exact=True).click()
    page.get_by_label("FR-PAR Acme Bank AG, Paris branch").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#arrangements tr", has_text="ACME-001")).to_contain_text("FR-PAR")
    shoot("group")

    page.goto(f"{live_server}/register/roi?ref_date=2025-12-31")
    page.locator("#field-level").select_option("CON")
    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_text("Filed at consolidated level for Acme Bank AG")).to_be_visible()
    with page.expect_download() as waiting:
        page.locator('a[href^="/register/roi.zip"]').click()
    download = waiting.value
    assert download.suggested_filename.startswith(f"{portfolio.org.lei}.CON_DE_")
    with open(download.path(), "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as zf:
        assert [r["c0010"] for r in _csv(zf, "b_01.02.csv")] == [portfolio.org.lei, IT_LEI]
        assert [(r["c0010"], r["c0040"]) for r in _csv(zf, "b_01.03.csv")] == [
            ("FR-PAR", "eba_GA:FR")
        ]
        assert ("ACME-001", "eba_ZZ:x838", "FR-PAR") in [
            (r["c0010"], r["c0030"], r["c0040"]) for r in _csv(zf, "b_04.01.csv")
        ]
