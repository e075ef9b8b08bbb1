"""The taxonomy settings' pure parts: an authority's own file name pattern is checked before it
is stored or used, and the file name is built from it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.register.roi.taxonomy import TaxonomyError, file_name, file_pattern, pattern_problem

WHEN = datetime(2026, 1, 15, 9, 30, 5, 123000, tzinfo=UTC)


def name(naming: str) -> str:
    return file_name(
        naming,
        lei="529900t8bm49aursdo55",
        level="IND",
        country="de",
        module="DORA010100",
        ref_date=date(2025, 12, 31),
        generated_at=WHEN,
    )


def test_the_eba_convention_and_an_authoritys_own_pattern_name_the_package():
    assert name("eba") == (
        "529900T8BM49AURSDO55.IND_DE_DORA010100_DORA_2025-12-31_20260115093005123.zip"
    )
    assert name("RoI_{country}-{lei}_{ref_date}") == "RoI_DE-529900T8BM49AURSDO55_2025-12-31.zip"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "Enter a file name pattern"),
        ("{lei}_{timestamp}", "needs {ref_date}"),
        ("{country}_{module}", "needs {lei} and {ref_date}"),
        ("reports/{lei}_{ref_date}", "not a folder"),
        ("..\\{lei}_{ref_date}", "not a folder"),
        ("{lei} {ref_date}", "not ' '"),
        ("{lei}_{ref_date}.zip", "Leave out “.zip”"),
        ("{lei}_{ref_date", "needs its “}”"),
        ("{lei}_{ref_date}_{branch}", "{branch} is not a placeholder"),
        ("{lei!r}_{ref_date}", "without “!” or “:”"),
        (".{lei}_{ref_date}", "must not start with “.”"),
        ("{lei}_" * 30 + "{ref_date}", "longer than 150"),
    ],
)
def test_a_bad_pattern_is_refused_with_what_to_change(pattern, message):
    assert message in (pattern_problem(pattern) or "")
    if "{" in pattern:  # a stored bad pattern is refused at export too
        with pytest.raises(TaxonomyError, match="is not valid"):
            file_pattern(pattern)


def test_a_good_pattern_has_no_problem():
    assert pattern_problem("{lei}.{level}_{ref_date}_{timestamp}") is None
