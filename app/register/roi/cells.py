"""How register facts are written as the package's cells (pure): dates, amounts, LEIs, lists of
countries and types of code, and the page on which each fact is fixed.

Values are written exactly as they go into the CSV files; the validator reads them back from the
tables, so it checks what a supervisor would receive.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache

from app.register.roi import codes
from app.register.roi.data import ContractFacts, FunctionFacts

TRUE = "true"
YES, NO = "eba_BT:x28", "eba_BT:x29"
NA = codes.NOT_APPLICABLE_COUNTRY


def contract_link(contract: ContractFacts) -> str:
    return f"/vendors/{contract.vendor_id}/contracts/{contract.id}/edit"


def vendor_link(vendor_id: int) -> str:
    return f"/vendors/{vendor_id}"


def function_link(function: FunctionFacts) -> str:
    return f"/vendors/functions/{function.id}/edit"


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def number(value: int | Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def unique(values: Iterable[str]) -> list[str]:
    """Upper-cased, blanks dropped, each once, in order."""
    return list(dict.fromkeys(v.strip().upper() for v in values if v and v.strip()))


def lei(value: str | None) -> str:
    return (value or "").strip().upper()


@lru_cache(maxsize=64)  # a handful of kinds, asked for several times per arrangement
def code_type(kind: str | None) -> str:
    """The EBA code of a type of code (LEI, EUID, …)."""
    return codes.coded(codes.CODE_TYPE_CODE, kind)


@lru_cache(maxsize=1024)  # arrangements share a few lists of countries: each coded once
def countries(values: tuple[str, ...]) -> tuple[str, ...]:
    """Countries of storage or processing, coded; "not applicable" when there is none."""
    return tuple(codes.prefixed("eba_GA:", c) for c in unique(values) or [NA])
