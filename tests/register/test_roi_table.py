"""A template's table, held column by column, and the conditions of its mandatory columns."""

from __future__ import annotations

import pytest

from app.register.roi.spec import CIF, TEMPLATE_BY_ID, When
from app.register.roi.table import NO_FLAGS, Source, Table, row_source

CHAIN = TEMPLATE_BY_ID["B_05.02"]
HERE = row_source("arrangement", "arrangement A-1 with Cloudy SE", "/vendors/1")


def test_rows_added_one_at_a_time_or_by_column_read_back_alike():
    table = Table(CHAIN)
    table.add({"c0010": "A-1", "c0050": "1", "c9999": "not a column"}, HERE)
    table.extend(
        {"c0010": ["A-1", "A-1"], "c0050": ["2", "3"]},
        [HERE, row_source("subcontractor", "subcontractor Lab of A-1")],
        [frozenset({CIF}), NO_FLAGS],
    )
    assert len(table) == 3 and table.reported
    assert table.columns["c0050"] == ["1", "2", "3"]
    assert table.columns["c0030"] == ["", "", ""]  # a column not given is empty
    assert "c9999" not in table.columns and table.column("c9999") == ["", "", ""]
    assert [line[0] for line in table.cells()] == ["A-1", "A-1", "A-1"]
    second, third = table.row(1), table.row(2)
    assert second.get("c0050") == "2" and second.flags == {CIF}
    assert second.values == dict.fromkeys((c.code for c in CHAIN.columns), "") | {
        "c0010": "A-1",
        "c0050": "2",
    }
    assert third.source == Source("subcontractor", "subcontractor Lab of A-1")
    assert third.source.name == "subcontractor Lab of A-1" and third.flags == NO_FLAGS


def test_columns_of_different_lengths_are_refused_and_nothing_is_added():
    table = Table(CHAIN)
    with pytest.raises(ValueError, match=r"B_05\.02: every column needs 2 values"):
        table.extend({"c0010": ["A-1", "A-2"], "c0050": ["1"]}, [HERE, HERE])
    assert len(table) == 0 and all(column == [] for column in table.columns.values())
    assert not table.reported


def _rows(flags: list[frozenset[str]], ranks: list[str]) -> Table:
    table = Table(CHAIN)
    table.extend({"c0050": ranks}, [HERE] * len(ranks), flags)
    return table


def test_a_condition_selects_the_rows_a_column_is_mandatory_on():
    cif = frozenset({CIF})
    table = _rows([cif, NO_FLAGS, cif, cif], ["1", "2", "", "3"])
    every = [0, 1, 2, 3]
    assert When(flag=CIF).rows(table, every) == [0, 2, 3]
    assert When(column="c0050").rows(table, every) == [0, 1, 3]  # filled
    assert When(column="c0050", values=frozenset({"2", "3"})).rows(table, every) == [1, 3]
    above_one = When(column="c0050", values=frozenset({"", "1"}), unless=True)
    assert above_one.rows(table, every) == [1, 3]
    both = When(flag=CIF, column="c0050", values=frozenset({"2", "3"}))
    assert both.rows(table, every) == [3]
    assert When(flag=CIF).rows(table, [1, 2]) == [2]  # only among the rows asked about
