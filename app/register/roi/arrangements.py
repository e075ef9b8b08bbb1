"""The arrangement templates filled column by column (pure): B_02.01, B_02.02, B_03.02, B_04.01
and B_07.01 from the arrangements in scope.

Each template's column is one pass over the arrangements, an arrangement's values coded once
and, in B_02.02, spread over its rows (one per user and country of storage and processing), so
a register of 10,000 arrangements costs little more than writing its cells (`bench/roi.py`).
Each function answers the columns, the rows' sources and their flags, as `Table.extend` takes
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain, product, repeat
from operator import itemgetter

from app.register.roi import codes
from app.register.roi.cells import NA, NO, YES, countries, iso, number
from app.register.roi.data import ContractFacts, VendorFacts
from app.register.roi.spec import CIF, ENDED
from app.register.roi.table import SourceTuple

Rows = tuple[dict[str, Sequence[str]], Sequence[SourceTuple], Sequence[frozenset[str]] | None]

# the flags of an arrangement's rows by (supports a critical function, ended), shared by them all
FLAG_SETS = {
    (critical, ended): frozenset(flag for flag, on in ((CIF, critical), (ENDED, ended)) if on)
    for critical in (False, True)
    for ended in (False, True)
}


@dataclass
class Arrangements:
    """The arrangements in the register, by reference, as a list per fact (an arrangement sits
    at the same position in each), with what several templates share worked out once. Lists,
    not an object per arrangement: the cycle collector then has a few lists to track, however
    large the register."""

    contracts: list[ContractFacts] = field(default_factory=list)
    vendors: list[VendorFacts | None] = field(default_factory=list)
    sources: list[SourceTuple] = field(default_factory=list)
    flags: list[frozenset[str]] = field(default_factory=list)
    provider_ids: list[str] = field(default_factory=list)
    provider_types: list[str] = field(default_factory=list)  # the provider's type of code
    services: list[str] = field(default_factory=list)  # the ICT service type, coded
    users: list[tuple[str, ...]] = field(default_factory=list)  # LEIs of entities in scope
    branches: list[tuple[str, ...]] = field(default_factory=list)  # codes of branches using it
    heads: list[tuple[str, ...]] = field(default_factory=list)  # those branches' head offices

    def __len__(self) -> int:
        return len(self.contracts)

    @cached_property
    def references(self) -> list[str]:
        return [c.reference for c in self.contracts]


def by_column(codes_: tuple[str, ...], lines: list[tuple[str, ...]]) -> dict[str, list[str]]:
    """Rows written as tuples in `codes_` order, turned into columns (a pass per column:
    `zip(*lines)` would hold an iterator per row)."""
    return {code: list(map(itemgetter(i), lines)) for i, code in enumerate(codes_)}


def contractual_arrangements(arrangements: Arrangements) -> Rows:
    """B_02.01: one row per arrangement."""
    contracts = arrangements.contracts
    return (
        {
            "c0010": arrangements.references,
            "c0020": [
                codes.coded(codes.ARRANGEMENT_TYPE_CODE, c.arrangement_type) for c in contracts
            ],
            "c0030": [c.overarching_reference or "" for c in contracts],
            "c0040": [codes.prefixed("eba_CU:", c.currency) for c in contracts],
            "c0050": [number(c.annual_cost) for c in contracts],
        },
        arrangements.sources,
        None,
    )


@lru_cache(maxsize=1024)  # arrangements share a few combinations of users and countries
def _located(
    users: tuple[str, ...], stored: tuple[str, ...], processed: tuple[str, ...]
) -> tuple[tuple[str, str, str], ...]:
    """An arrangement's (user, country of storage, country of processing) lines."""
    return tuple(product(dict.fromkeys(users), stored, processed))


def uses(arrangements: Arrangements) -> Rows:
    """B_02.02: a row per arrangement, entity or branch using it, country where its data is
    stored and country where it is processed."""
    contracts = arrangements.contracts
    lines = [
        _located(
            users + heads,
            countries(contract.storage_countries if contract.stores_data else ()),
            countries(contract.processing_countries),
        )
        for contract, users, heads in zip(
            contracts, arrangements.users, arrangements.heads, strict=True
        )
    ]
    # each row's arrangement, to spread the arrangement's values over its rows (picked in C by
    # one itemgetter, which answers a lone value rather than a tuple for one index)
    owner = list(chain.from_iterable(map(repeat, range(len(lines)), map(len, lines))))
    pick = itemgetter(*owner) if len(owner) > 1 else None

    def spread(values: list) -> Sequence:
        return pick(values) if pick else [values[i] for i in owner]

    return (
        {
            "c0010": spread(arrangements.references),
            "c0030": spread(arrangements.provider_ids),
            "c0040": spread(arrangements.provider_types),
            "c0050": spread([c.function_code or "" for c in contracts]),
            "c0060": spread(arrangements.services),
            "c0070": spread([iso(c.start_date) for c in contracts]),
            "c0080": spread([iso(c.end_date) or codes.OPEN_ENDED for c in contracts]),
            "c0090": spread([codes.prefixed("eba_CO:", c.termination_reason) for c in contracts]),
            "c0100": spread([number(c.notice_days_entity) for c in contracts]),
            "c0110": spread([number(c.notice_days_provider) for c in contracts]),
            "c0120": spread(
                [codes.prefixed("eba_GA:", c.governing_law_country) for c in contracts]
            ),
            "c0130": spread(
                [codes.prefixed("eba_GA:", c.service_country) or NA for c in contracts]
            ),
            "c0140": spread([YES if c.stores_data else NO for c in contracts]),
            # what varies between an arrangement's rows: who uses it, where its data is stored,
            # where it is processed
            **by_column(("c0020", "c0150", "c0160"), list(chain.from_iterable(lines))),
            "c0170": spread(
                [
                    codes.coded(codes.SENSITIVITY_CODE, c.data_sensitivity) if c.stores_data else ""
                    for c in contracts
                ]
            ),
            "c0180": spread([codes.prefixed("eba_ZZ:", c.reliance) for c in contracts]),
        },
        spread(arrangements.sources),
        spread(arrangements.flags),
    )


def direct_providers(arrangements: Arrangements) -> Rows:
    """B_03.02: the provider that signed each arrangement."""
    return (
        {
            "c0010": arrangements.references,
            "c0020": arrangements.provider_ids,
            "c0030": arrangements.provider_types,
        },
        arrangements.sources,
        None,
    )


def entity_users(arrangements: Arrangements) -> Rows:
    """B_04.01: the entities and branches using each arrangement. Not a branch: the branch code
    is a key column, so it carries "Not Applicable" (EBA Q&A 2024_7285), never an empty cell.
    A branch: its head office's LEI and its own code."""
    lines: list[tuple[str, str, str, str]] = []
    sources: list[SourceTuple] = []
    for ref, source, users, branches, heads in zip(
        arrangements.references,
        arrangements.sources,
        arrangements.users,
        arrangements.branches,
        arrangements.heads,
        strict=True,
    ):
        lines += [(ref, user, "eba_ZZ:x839", codes.NOT_APPLICABLE_KEY) for user in users]
        lines += [
            (ref, head, "eba_ZZ:x838", code) for code, head in zip(branches, heads, strict=True)
        ]
        sources += [source] * (len(users) + len(branches))
    return by_column(("c0010", "c0020", "c0030", "c0040"), lines), sources, None


def assessments(arrangements: Arrangements) -> Rows:
    """B_07.01: the bank's own assessment of each service (recorded on the arrangement, not the
    vendor)."""
    contracts = arrangements.contracts
    substitutability = [
        codes.coded(codes.SUBSTITUTABILITY_CODE, c.substitutability) for c in contracts
    ]
    return (
        {
            "c0010": arrangements.references,
            "c0020": arrangements.provider_ids,
            "c0030": arrangements.provider_types,
            "c0040": arrangements.services,
            "c0050": substitutability,
            # the reason only for a service that is hard to substitute
            "c0060": [
                codes.prefixed("eba_ZZ:", c.substitutability_reason)
                if code in codes.HARD_TO_SUBSTITUTE
                else ""
                for c, code in zip(contracts, substitutability, strict=True)
            ],
            "c0070": [iso(v.last_audit_date) if v else "" for v in arrangements.vendors],
            "c0080": [YES if c.exit_plan else NO for c in contracts],
            "c0090": [codes.coded(codes.REINTEGRATION_CODE, c.reintegration) for c in contracts],
            # the impact of losing this service, not of losing the function it supports
            "c0100": [codes.coded(codes.IMPACT_CODE, c.discontinuation_impact) for c in contracts],
            # an empty list of names is no answer: "not assessed" stays x21, never "No"
            "c0110": [
                codes.coded(codes.ALTERNATIVES_CODE, c.alternatives_identified or "not_assessed")
                for c in contracts
            ],
            "c0120": [c.alternatives or "" for c in contracts],
        },
        arrangements.sources,
        arrangements.flags,
    )
