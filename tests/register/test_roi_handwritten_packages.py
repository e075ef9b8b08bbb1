"""The independent check: packages written by hand from the ITS (templates, keys and code lists
as Implementing Regulation 2024/2956 and the EBA Q&A state them), read back and validated. The
builder never touches them, so a misunderstanding the builder and validator share shows here.

`packages/valid/` is a complete, correct package for one standalone bank, one provider with a
subcontractor and one arrangement. Each test changes one cell or line of it, as a filer could
get it wrong, and expects the blocking rule to name the template, the row and the column.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.register.roi.builder import build
from app.register.roi.reader import read_files, read_package
from app.register.roi.validator import Problem, validate
from app.register.roi.writers import write_package
from tests.register.roi_data import clean_register

VALID = Path(__file__).parent / "packages" / "valid" / "reports"
ENTITY = "529900HANDWRITTEN090"
PROVIDER = "213800PROVIDERPLC089"
SUB = "635400SUBHOSTING0047"


def files(changes: dict[str, str] | None = None) -> dict[str, bytes]:
    """The valid package's files, with whole files replaced by name."""
    found = {p.name: p.read_bytes() for p in VALID.iterdir()}
    for name, text in (changes or {}).items():
        found[name] = text.encode("utf-8")
    return found


def problems(name: str, text: str) -> list[Problem]:
    package = read_files(files({name: text}))
    assert package.layout == []
    return validate(package.tables, package.indicators)


def changed(name: str, old: str, new: str) -> str:
    text = (VALID / name).read_bytes().decode("utf-8")
    assert old in text, f"{old!r} not in {name}"
    return text.replace(old, new)


def blocking(found: list[Problem]) -> set[tuple[str, str, str, str]]:
    return {(p.rule, p.template, p.subject, p.column) for p in found if p.blocking}


def test_the_handwritten_package_is_valid():
    package = read_files(files())
    assert package.layout == []
    assert package.parameters["entityID"] == f"rs:{ENTITY}.IND"
    assert validate(package.tables, package.indicators) == []


def test_805_an_empty_rank_one_recipient_is_an_empty_key():
    text = changed("b_05.02.csv", f",1,{PROVIDER},eba_qCO:qx2000", ",1,,")
    assert blocking(problems("b_05.02.csv", text)) >= {
        ("805", "B_05.02", "b_05.02.csv row 2", "c0060")
    }


def test_805_an_empty_branch_code_is_an_empty_key():
    text = changed("b_04.01.csv", ",Not Applicable", ",")
    assert blocking(problems("b_04.01.csv", text)) == {
        ("805", "B_04.01", "b_04.01.csv row 2", "c0040")
    }


def test_806_a_provider_listed_twice():
    text = (VALID / "b_05.01.csv").read_bytes().decode("utf-8")
    twice = text + text.splitlines()[1] + "\r\n"
    [problem] = [p for p in problems("b_05.01.csv", twice) if p.rule == "806"]
    assert (problem.template, problem.subject) == ("B_05.01", "b_05.01.csv row 2")
    assert PROVIDER in problem.message


def test_807_a_supply_chain_recipient_that_is_no_provider():
    text = changed(
        "b_05.02.csv", f"{SUB},eba_qCO:qx2000,2,{PROVIDER}", f"{SUB},eba_qCO:qx2000,2,{ENTITY}"
    )
    assert blocking(problems("b_05.02.csv", text)) == {
        ("807", "B_05.02", "b_05.02.csv row 3", "c0060")
    }


def test_807_an_arrangement_for_a_function_that_is_not_listed():
    text = changed("b_02.02.csv", ",F1,", ",F9,")
    assert blocking(problems("b_02.02.csv", text)) == {
        ("807", "B_02.02", "b_02.02.csv row 2", "c0050")
    }


def test_808_a_table_with_rows_reported_false():
    text = changed("FilingIndicators.csv", "B_06.01,true", "B_06.01,false")
    found = [p for p in problems("FilingIndicators.csv", text) if p.blocking]
    assert [(p.rule, p.template) for p in found] == [("808", "B_06.01")]


@pytest.mark.parametrize(
    ("name", "old", "new", "template", "column"),
    [
        # B_07.01 c0110 is LIST0601050: the eba_ZZ members of an outdated spec page are not in it
        ("b_07.01.csv", "eba_ZZ:x792,eba_BT:x21", "eba_ZZ:x792,eba_ZZ:x24", "B_07.01", "c0110"),
        ("b_02.01.csv", "eba_CO:x1", "eba_CO:x7", "B_02.01", "c0020"),
        ("b_01.02.csv", "eba_RP:x21", "eba_RP:x99", "B_01.02", "c0050"),
        ("b_02.02.csv", "eba_TA:S19", "eba_TA:S20", "B_02.02", "c0060"),
    ],
)
def test_a_code_outside_its_closed_list_blocks(name, old, new, template, column):
    found = blocking(problems(name, changed(name, old, new)))
    assert ("code list", template, f"{name} row 2", column) in found


def test_an_lei_with_wrong_check_digits_blocks():
    text = changed(
        "b_05.01.csv", f"{SUB},eba_qCO:qx2000,,,Sub", "635400SUBHOSTING0048,eba_qCO:qx2000,,,Sub"
    )
    found = blocking(problems("b_05.01.csv", text))
    assert ("LEI", "B_05.01", "b_05.01.csv row 3", "c0010") in found


def test_a_control_character_in_text_blocks():
    text = changed("b_05.01.csv", "Provider plc", '"Provider\nplc"')
    assert ("text", "B_05.01", "b_05.01.csv row 2", "c0050") in blocking(
        problems("b_05.01.csv", text)
    )


def test_a_missing_column_is_a_layout_problem():
    text = (VALID / "b_03.02.csv").read_bytes().decode("utf-8").replace(",c0030", "")
    package = read_files(files({"b_03.02.csv": text}))
    assert package.layout == [
        "b_03.02.csv has the columns c0010,c0020; B_03.02 has c0010,c0020,c0030"
    ]


def test_a_package_assay_writes_reads_back_to_the_same_verdict():
    out = io.BytesIO()
    write_package(out, build(clean_register()), name="package.zip")
    package = read_package(out.getvalue())
    assert package.layout == []
    assert validate(package.tables, package.indicators) == []
