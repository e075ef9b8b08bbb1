"""The independent check for groups: a consolidated package written by hand from the ITS (a
parent bank, its intra-group ICT service company, a branch in Paris, an intra-group arrangement
and the third-party arrangement it relies on), read back and validated. Each test breaks one
cell of a group template as a filer could, and expects the blocking rule to name the template,
the file row and the column.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.register.roi.reader import read_files
from app.register.roi.validator import Problem, validate

VALID = Path(__file__).parent / "packages" / "valid" / "group" / "reports"
BANK = "529900GROUPBANKAG087"
IT = "529900GROUPITSERV036"
UNKNOWN = "529900GROUPPAYGMB041"  # check digits right, in no template


def problems(changes: dict[str, str] | None = None) -> list[Problem]:
    files = {p.name: p.read_bytes() for p in VALID.iterdir()}
    for name, text in (changes or {}).items():
        files[name] = text.encode("utf-8")
    package = read_files(files)
    assert package.layout == []
    return validate(package.tables, package.indicators)


def changed(name: str, old: str, new: str) -> dict[str, str]:
    text = (VALID / name).read_bytes().decode("utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {name}"
    return {name: text.replace(old, new)}


def blocking(found: list[Problem]) -> set[tuple[str, str, str, str]]:
    return {(p.rule, p.template, p.subject, p.column) for p in found if p.blocking}


def test_the_handwritten_group_package_is_valid():
    files = {p.name: p.read_bytes() for p in VALID.iterdir()}
    package = read_files(files)
    assert package.parameters["entityID"] == f"rs:{BANK}.CON"
    assert [len(package.tables[t].rows) for t in ("B_01.02", "B_01.03", "B_02.03", "B_03.03")] == [
        2, 1, 1, 1,
    ]  # fmt: skip
    assert problems() == []


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        # B_01.03: the branch code is its key
        ("b_01.03.csv", "FR-PARIS-01,", ",", ("805", "B_01.03", "b_01.03.csv row 2", "c0010")),
        # B_02.03: the linked arrangement is part of the key
        ("b_02.03.csv", "GB-IG-01,GB-IT-01", "GB-IG-01,", ("805", "B_02.03", "b_02.03.csv row 2", "c0020")),
        # B_03.03: the providing entity's LEI is part of the key
        ("b_03.03.csv", f"GB-IG-01,{IT}", "GB-IG-01,", ("805", "B_03.03", "b_03.03.csv row 2", "c0020")),
    ],
)  # fmt: skip
def test_805_an_empty_key_of_a_group_template(name, old, new, expected):
    assert expected in blocking(problems(changed(name, old, new)))


def test_806_a_branch_listed_twice():
    text = (VALID / "b_01.03.csv").read_bytes().decode("utf-8")
    twice = text + text.splitlines()[1] + "\r\n"
    [problem] = [p for p in problems({"b_01.03.csv": twice}) if p.rule == "806"]
    assert (problem.template, problem.subject) == ("B_01.03", "b_01.03.csv row 2")
    assert "FR-PARIS-01" in problem.message


def test_806_an_entity_listed_twice_in_scope():
    text = (VALID / "b_01.02.csv").read_bytes().decode("utf-8")
    twice = text + text.splitlines()[2] + "\r\n"
    [problem] = [p for p in problems({"b_01.02.csv": twice}) if p.rule == "806"]
    assert (problem.template, problem.subject) == ("B_01.02", "b_01.02.csv row 3")


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        # a subsidiary whose direct parent is not an entity in scope
        ("b_01.02.csv", f"eba_RP:x56,{BANK}", f"eba_RP:x56,{UNKNOWN}", ("807", "B_01.02", "b_01.02.csv row 3", "c0060")),
        # a branch whose head office is not an entity in scope
        ("b_01.03.csv", f"FR-PARIS-01,{BANK}", f"FR-PARIS-01,{UNKNOWN}", ("807", "B_01.03", "b_01.03.csv row 2", "c0020")),
        # a branch using a service that is not in B_01.03
        ("b_04.01.csv", "eba_ZZ:x838,FR-PARIS-01", "eba_ZZ:x838,FR-LYON-01", ("807", "B_04.01", "b_04.01.csv row 3", "c0040")),
        # an intra-group arrangement linked to an arrangement that is not in B_02.01
        ("b_02.03.csv", "GB-IG-01,GB-IT-01", "GB-IG-01,GB-IT-99", ("807", "B_02.03", "b_02.03.csv row 2", "c0020")),
        # an intra-group arrangement that is not in B_02.01 itself
        ("b_02.03.csv", "GB-IG-01,GB-IT-01", "GB-IG-99,GB-IT-01", ("807", "B_02.03", "b_02.03.csv row 2", "c0010")),
        # an intra-group provider that is not an entity in scope
        ("b_03.03.csv", f"GB-IG-01,{IT}", f"GB-IG-01,{UNKNOWN}", ("807", "B_03.03", "b_03.03.csv row 2", "c0020")),
        # an entity signing that is not in scope
        ("b_03.01.csv", f"GB-IT-01,{IT}", f"GB-IT-01,{UNKNOWN}", ("807", "B_03.01", "b_03.01.csv row 3", "c0020")),
        # an entity using a service that is not in scope
        ("b_02.02.csv", f"GB-IT-01,{IT}", f"GB-IT-01,{UNKNOWN}", ("807", "B_02.02", "b_02.02.csv row 3", "c0020")),
    ],
)  # fmt: skip
def test_807_a_group_reference_to_no_row(name, old, new, expected):
    assert expected in blocking(problems(changed(name, old, new)))


@pytest.mark.parametrize("template", ["B_01.03", "B_02.03", "B_03.03"])
def test_808_a_group_table_with_rows_reported_false(template):
    found = problems(changed("FilingIndicators.csv", f"{template},true", f"{template},false"))
    assert [(p.rule, p.template) for p in found if p.blocking] == [("808", template)]


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("b_01.03.csv", "eba_GA:FR", "eba_GA:XK1", ("code list", "B_01.03", "b_01.03.csv row 2", "c0040")),
        ("b_01.02.csv", "eba_RP:x56", "eba_RP:x57", ("code list", "B_01.02", "b_01.02.csv row 3", "c0050")),
        ("b_04.01.csv", "eba_ZZ:x838", "eba_ZZ:x837", ("code list", "B_04.01", "b_04.01.csv row 3", "c0030")),
    ],
)  # fmt: skip
def test_a_group_code_outside_its_closed_list_blocks(name, old, new, expected):
    assert expected in blocking(problems(changed(name, old, new)))


def test_an_entity_lei_with_wrong_check_digits_blocks():
    found = problems(changed("b_01.02.csv", f"{IT},Group IT", "529900GROUPITSERV037,Group IT"))
    assert ("LEI", "B_01.02", "b_01.02.csv row 3", "c0010") in blocking(found)
