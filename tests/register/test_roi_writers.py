"""The RoI files as a supervisor's portal and a reviewer open them: the xBRL-CSV package read
with zipfile + csv, the workbook with openpyxl."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from app.register.roi.builder import build
from app.register.roi.validator import validate
from app.register.roi.writers import package_name, write_package, write_workbook
from tests.register.roi_data import ORG_LEI, clean_register, with_contract, with_vendor

GENERATED = datetime(2026, 6, 30, 14, 16, 32, 123000, tzinfo=UTC)
INJECTION = '=HYPERLINK("http://x","y")'

# Column codes per template, as listed in the regulatory reference §3.2 (not read from the code).
REFERENCE_HEADERS = {
    "b_01.01.csv": "c0010 c0020 c0030 c0040 c0050 c0060",
    "b_01.02.csv": "c0010 c0020 c0030 c0040 c0050 c0060 c0070 c0080 c0090 c0100 c0110",
    "b_01.03.csv": "c0010 c0020 c0030 c0040",
    "b_02.01.csv": "c0010 c0020 c0030 c0040 c0050",
    "b_02.02.csv": "c0010 c0020 c0030 c0040 c0050 c0060 c0070 c0080 c0090 c0100 c0110 c0120 "
    "c0130 c0140 c0150 c0160 c0170 c0180",
    "b_02.03.csv": "c0010 c0020 c0030",
    "b_03.01.csv": "c0010 c0020 c0030",
    "b_03.02.csv": "c0010 c0020 c0030",
    "b_03.03.csv": "c0010 c0020 c0031",
    "b_04.01.csv": "c0010 c0020 c0030 c0040",
    "b_05.01.csv": "c0010 c0020 c0030 c0040 c0050 c0060 c0070 c0080 c0090 c0100 c0110 c0120",
    "b_05.02.csv": "c0010 c0020 c0030 c0040 c0050 c0060 c0070",
    "b_06.01.csv": "c0010 c0020 c0030 c0040 c0050 c0060 c0070 c0080 c0090 c0100",
    "b_07.01.csv": "c0010 c0020 c0030 c0040 c0050 c0060 c0070 c0080 c0090 c0100 c0110 c0120",
    "b_99.01.csv": " ".join(f"c{n:04d}" for n in range(10, 200, 10)),
}


def package(data=None) -> tuple[str, zipfile.ZipFile]:
    built = build(data or clean_register())
    name = package_name(built, GENERATED)
    out = io.BytesIO()
    write_package(out, built, name=name)
    return name, zipfile.ZipFile(io.BytesIO(out.getvalue()))


def read_csv(archive: zipfile.ZipFile, path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(path).decode("utf-8"))))


def test_the_package_is_named_and_laid_out_as_the_eba_expects():
    name, archive = package()
    assert name == f"{ORG_LEI}.IND_DE_DORA010100_DORA_2025-12-31_20260630141632123.zip"
    root = name.removesuffix(".zip")
    assert sorted(archive.namelist()) == sorted(
        [
            f"{root}/META-INF/reportPackage.json",
            f"{root}/reports/report.json",
            f"{root}/reports/parameters.csv",
            f"{root}/reports/FilingIndicators.csv",
            *(f"{root}/reports/{file}" for file in REFERENCE_HEADERS),
        ]
    )
    assert json.loads(archive.read(f"{root}/META-INF/reportPackage.json")) == {
        "documentInfo": {"documentType": "https://xbrl.org/report-package/2023"}
    }
    report = json.loads(archive.read(f"{root}/reports/report.json"))
    assert report["documentInfo"]["documentType"] == "https://xbrl.org/2021/xbrl-csv"
    assert report["documentInfo"]["extends"] == [
        "http://www.eba.europa.eu/eu/fr/xbrl/crr/fws/dora/4.0/mod/dora.json"
    ]
    assert read_csv(archive, f"{root}/reports/parameters.csv") == [
        {"name": "entityID", "value": f"rs:{ORG_LEI}.IND"},
        {"name": "refPeriod", "value": "2025-12-31"},
        {"name": "baseCurrency", "value": "iso4217:EUR"},
        {"name": "decimalsInteger", "value": "0"},
        {"name": "decimalsMonetary", "value": "-3"},
    ]


def test_each_csv_header_is_the_reference_column_codes():
    name, archive = package()
    root = name.removesuffix(".zip")
    for file, codes in REFERENCE_HEADERS.items():
        header = archive.read(f"{root}/reports/{file}").decode("utf-8").splitlines()[0]
        assert header.split(",") == codes.split(), file


def test_filing_indicators_say_which_templates_have_rows():
    name, archive = package()
    indicators = read_csv(archive, f"{name.removesuffix('.zip')}/reports/FilingIndicators.csv")
    assert [row["templateID"] for row in indicators] == [
        f.removesuffix(".csv").upper() for f in REFERENCE_HEADERS
    ]
    off = {row["templateID"] for row in indicators if row["reported"] == "false"}
    assert off == {"B_01.03", "B_02.03", "B_03.03"}
    assert {row["reported"] for row in indicators} == {"true", "false"}


def test_values_carry_their_eba_prefixes_and_dates_are_iso():
    name, archive = package()
    reports = f"{name.removesuffix('.zip')}/reports"
    hosting = read_csv(archive, f"{reports}/b_02.02.csv")[0]
    assert hosting["c0040"] == "eba_qCO:qx2000"
    assert (hosting["c0060"], hosting["c0120"], hosting["c0140"]) == (
        "eba_TA:S17", "eba_GA:DE", "eba_BT:x28",
    )  # fmt: skip
    assert (hosting["c0170"], hosting["c0180"]) == ("eba_ZZ:x793", "eba_ZZ:x796")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", hosting["c0070"])
    arrangements = read_csv(archive, f"{reports}/b_02.01.csv")
    assert [a["c0020"] for a in arrangements] == ["eba_CO:x1", "eba_CO:x2", "eba_CO:x3"]
    assert arrangements[0]["c0040"] == "eba_CU:EUR"
    function = read_csv(archive, f"{reports}/b_06.01.csv")[0]
    assert (function["c0020"], function["c0050"], function["c0100"]) == (
        "eba_TA:x222", "eba_BT:x28", "eba_ZZ:x793",
    )  # fmt: skip
    entity = read_csv(archive, f"{reports}/b_01.01.csv")[0]
    assert (entity["c0030"], entity["c0040"]) == ("eba_GA:DE", "eba_CT:x12")


def test_the_package_carries_text_exactly_as_validated():
    """No spreadsheet escaping in the regulatory file: a name or reference starting with - or =
    is filed as it is (the workbook, for people, escapes it)."""
    data = with_vendor(clean_register(), 1, legal_name=INJECTION)
    data = with_vendor(data, 2, legal_name="-Łódź Dane Sp. z o.o.")
    data = with_contract(data, "ACME-001", alternatives="+ two EU providers")
    name, archive = package(data)
    root = name.removesuffix(".zip")
    names = [p["c0050"] for p in read_csv(archive, f"{root}/reports/b_05.01.csv")]
    assert INJECTION in names and "'" + INJECTION not in names
    assert "-Łódź Dane Sp. z o.o." in names
    [hosting] = [
        r for r in read_csv(archive, f"{root}/reports/b_07.01.csv") if r["c0010"] == "ACME-001"
    ]
    assert hosting["c0120"] == "+ two EU providers"


def test_text_that_would_break_a_reader_is_refused_instead():
    data = with_vendor(clean_register(), 1, legal_name="Cloudy\nSE")
    data = with_contract(data, "ACME-002", overarching_reference=" ACME-000")
    built = build(data)
    problems = [p for p in validate(built.tables, built.filing_indicators) if p.rule == "text"]
    assert {(p.template, p.column, p.blocking) for p in problems} >= {
        ("B_05.01", "c0050", True),  # a line break in a name
        ("B_02.01", "c0030", True),  # a blank around a reference
    }


def workbook(data=None):
    built = build(data or clean_register())
    problems = validate(built.tables, built.filing_indicators)
    out = io.BytesIO()
    write_workbook(
        out, built, problems, generated_at=GENERATED, generated_by="Rita <rita@example.com>",
        base_url="https://assay.example",
    )  # fmt: skip
    return load_workbook(io.BytesIO(out.getvalue()))


def test_the_workbook_has_a_sheet_per_template_then_problems_and_about():
    wb = workbook()
    assert wb.sheetnames == [
        *(f.removesuffix(".csv").upper() for f in REFERENCE_HEADERS), "Problems", "About",
    ]  # fmt: skip
    sheet = wb["B_02.02"]
    assert [c.value for c in sheet[1]] == REFERENCE_HEADERS["b_02.02.csv"].split()
    assert sheet["E2"].value == "Function identifier"
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:R6"
    assert sheet.column_dimensions["A"].width == 24
    assert sheet["E3"].value == "F1"
    assert sheet["G3"].value == datetime(2024, 1, 1) and sheet["G3"].number_format == "yyyy-mm-dd"
    assert sheet["R3"].value == "eba_ZZ:x796 (Material reliance)"
    assert wb["B_02.01"]["E3"].value == 120000  # a number, not text
    assert wb["B_01.03"].max_row == 2  # headers only


def test_the_workbook_lists_problems_with_the_page_to_fix_them():
    data = with_contract(clean_register(), "ACME-001", function_code="F9")
    wb = workbook(data)
    rows = list(wb["Problems"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Severity", "Rule", "Template")
    [problem] = [r for r in rows[1:] if r[1] == "807"]
    assert problem[0] == "blocking" and problem[2] == "B_02.02"
    assert problem[5] == "arrangement ACME-001 with Cloudy SE"
    assert problem[7] == "https://assay.example/vendors/1/contracts/1/edit"
    about = dict(wb["About"].iter_rows(values_only=True))
    assert about["Status"].startswith("DRAFT: 1 blocking problem")
    assert about["Reference date (refPeriod)"] == datetime(2025, 12, 31)
    assert about["Generated by"] == "Rita <rita@example.com>"


def test_an_injected_vendor_name_arrives_in_the_workbook_as_text():
    wb = workbook(with_vendor(clean_register(), 1, legal_name=INJECTION))
    cell = next(
        row[4] for row in wb["B_05.01"].iter_rows(min_row=3) if "HYPERLINK" in str(row[4].value)
    )
    assert cell.value == "'" + INJECTION and cell.data_type == "s"


def test_left_out_arrangements_are_on_the_about_sheet():
    data = clean_register()
    data = replace(
        data,
        contracts=(
            *data.contracts[:1],
            replace(data.contracts[1], end_date=date(2024, 6, 30)),
            replace(data.contracts[2], start_date=date(2026, 2, 1)),
        ),
    )
    about = [row for row in workbook(data)["About"].iter_rows(values_only=True)]
    left_out = [value for key, value in about if key == "Left out"]
    assert left_out == [
        "ACME-002 (Scorer Ltd): it ended before the reporting year (2024-06-30)",
        "ACME-002-A (Scorer Ltd): it starts after the reference date 2025-12-31",
    ]
