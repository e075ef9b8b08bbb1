"""`assay export roi`: refuses an invalid register without --draft, writes with it."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.cli import main
from app.models import AuditEvent
from tests.register.roi_data import make_roi_portfolio


@pytest.fixture
def portfolio(monkeypatch, settings, session: Session):
    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    built = make_roi_portfolio(session)
    session.commit()
    return built


def events(session: Session) -> list[AuditEvent]:
    session.rollback()  # a fresh transaction sees what the command committed
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.action == "register.roi_exported"))
    )


def test_a_valid_register_is_written_as_a_package_and_a_workbook(
    portfolio, session, tmp_path, capsys
):
    out = tmp_path / "roi.zip"
    assert main(["export", "roi", "--out", str(out), "--ref-date", "2025-12-31"]) == 0
    printed = capsys.readouterr()
    assert "3 arrangement(s) as at 2025-12-31, 0 blocking problem(s), 1 warning(s)" in printed.out
    assert f"{portfolio.org.lei}.IND_DE_DORA010100_DORA_2025-12-31_" in printed.out
    assert "warning: [mandatory] B_05.01 c0080" in printed.err  # the parent's unknown country
    names = zipfile.ZipFile(out).namelist()
    assert sum(name.endswith(".csv") for name in names) == 17
    workbook = tmp_path / "roi.xlsx"
    assert main(["export", "roi", "--out", str(workbook), "--org", portfolio.org.slug]) == 0
    assert load_workbook(workbook)["About"]["B1"].value == "Acme Bank AG"
    assert [e.data["format"] for e in events(session)] == ["zip", "xlsx"]
    assert all(e.actor_label == "system" for e in events(session))


def test_an_invalid_register_is_refused_without_draft_and_written_with_it(
    portfolio, session, tmp_path, capsys
):
    portfolio.hosting.function_id = None
    session.add(portfolio.hosting)
    session.commit()
    out = tmp_path / "roi.zip"
    assert main(["export", "roi", "--out", str(out)]) == 1
    printed = capsys.readouterr().err
    lines = printed.splitlines()
    assert any(
        line.startswith("blocking: [805] B_02.02 c0050:") and "ACME-001" in line for line in lines
    )
    assert "1 blocking problem(s): nothing written" in printed and "--draft" in printed
    assert not out.exists() and events(session) == []

    assert main(["export", "roi", "--out", str(out), "--draft"]) == 0
    printed = capsys.readouterr()
    assert "warning: [805] B_02.02 c0050:" in printed.err
    assert "1 blocking problem(s)" in printed.out and "DRAFT_" in printed.out
    assert zipfile.ZipFile(out).testzip() is None
    [event] = events(session)
    assert event.data["draft"] is True


def test_the_output_must_be_a_zip_or_an_xlsx(portfolio, tmp_path, capsys):
    assert main(["export", "roi", "--out", str(tmp_path / "roi.csv")]) == 1
    assert ".zip" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "roi", "--out", str(tmp_path / "roi.zip"), "--ref-date", "yesterday"])
    assert "is not a date" in capsys.readouterr().err


def test_a_group_is_written_at_consolidated_level_and_an_unknown_level_refused(
    monkeypatch, settings, session: Session, tmp_path, capsys
):
    from tests.register.roi_data import make_group_portfolio

    monkeypatch.setenv("ASSAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSAY_DATA_DIR", str(settings.data_dir))
    group = make_group_portfolio(session)
    session.commit()
    out = tmp_path / "group.zip"
    args = ["export", "roi", "--out", str(out), "--ref-date", "2025-12-31", "--level", "CON"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "(consolidated level, Acme Group Bank AG): 5 arrangement(s)" in printed
    assert f"{group.portfolio.org.lei}.CON_DE_" in printed
    assert main([*args[:-1], "NOT-AN-ENTITY"]) == 1
    assert "No entity with the LEI NOT-AN-ENTITY" in capsys.readouterr().err
