"""The fifteen templates of the Register of Information: column codes and labels, closed lists,
primary keys and the references between templates (reference §3.2, §3.4). Pure data.

A column's `fix` says where in Assay its value comes from, so a problem can tell the user what
to change; `required` is True, False or a condition on the row (the ITS "mandatory if …").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.register.roi import codes
from app.vendors.codes import CURRENCIES
from app.vendors.identifiers import COUNTRY_CODES

COUNTRIES = {f"eba_GA:{c}": c for c in sorted(COUNTRY_CODES)}
COUNTRIES_OR_NA = {**COUNTRIES, codes.NOT_APPLICABLE_COUNTRY: "Not applicable"}
CURRENCY_CODES = {f"eba_CU:{c}": name for c, name in CURRENCIES.items()}

# Row flags set by the builder for the ITS's conditional columns.
CIF = "cif"  # the arrangement supports a critical or important function
ENDED = "ended"  # the arrangement ended on or before the reference date
DIRECT = "direct"  # a provider with an arrangement of its own (not only a subcontractor)


class TableLike(Protocol):
    """What a condition reads of a table (`table.Table`): the rows' flags and a column."""

    flags: list[frozenset[str]]

    def column(self, code: str) -> Sequence[str]: ...


@dataclass(frozen=True)
class When:
    """A column mandatory only on some rows (the ITS's "mandatory if …"): those carrying `flag`
    and whose `column` is filled, or holds one of `values`, or (`unless`) holds none of them."""

    flag: str | None = None
    column: str | None = None
    values: frozenset[str] | None = None
    unless: bool = False

    def rows(self, table: TableLike, indices: list[int]) -> list[int]:
        """Those of the rows `indices` where it holds, a pass over each column it reads."""
        if self.flag is not None:
            flags = table.flags
            indices = [i for i in indices if self.flag in flags[i]]
        if self.column is None:
            return indices
        values = table.column(self.column)
        if self.values is None:
            return [i for i in indices if values[i]]
        if self.unless:
            return [i for i in indices if values[i] not in self.values]
        return [i for i in indices if values[i] in self.values]


Requirement = bool | When


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    kind: str = "text"  # text | code | lei | id | country | currency | date | int | money | flag
    codes: Mapping[str, str] | None = None  # closed list: code → label
    required: Requirement = False
    fix: str = ""  # the Assay field that fills it
    note: str = ""  # said instead when no Assay field fills it


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    target: str  # template id
    target_columns: tuple[str, ...]
    what: str  # what the target rows are, for messages


@dataclass(frozen=True)
class Template:
    id: str  # "B_02.02"
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    has_source: bool = True  # False: Assay holds no data for it (headers only, reported false)
    column_by_code: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_by_code", {c.code: c for c in self.columns})

    @property
    def file_name(self) -> str:
        return f"{self.id.lower()}.csv"


def _flag(name: str) -> When:
    return When(flag=name)


def _filled(code: str) -> When:
    return When(column=code)


def _equals(code: str, *values: str) -> When:
    return When(column=code, values=frozenset(values))


def _cif_and(code: str, *values: str) -> When:
    return When(flag=CIF, column=code, values=frozenset(values))


RANK_ABOVE_ONE = When(column="c0050", values=frozenset(("", "1")), unless=True)
FINANCIAL_ENTITY = When(
    column="c0040", values=frozenset(("eba_CT:x317", "eba_CT:x318")), unless=True
)


YES = "eba_BT:x28"
ARRANGEMENT = "B_02.01"
ENTITIES = "B_01.02"
BRANCHES = "B_01.03"
PROVIDERS = "B_05.01"
FUNCTIONS = "B_06.01"


def _to_arrangement(column: str = "c0010") -> ForeignKey:
    return ForeignKey((column,), ARRANGEMENT, ("c0010",), "arrangements (B_02.01)")


def _to_entity(column: str) -> ForeignKey:
    return ForeignKey((column,), ENTITIES, ("c0010",), "entities in scope (B_01.02)")


def _to_provider(code: str, kind: str) -> ForeignKey:
    return ForeignKey((code, kind), PROVIDERS, ("c0010", "c0020"), "providers (B_05.01)")


ORG = "the organisation settings"
GROUP = "the register's entities and branches"
ARR = "the arrangement"
VENDOR = "the vendor"
FUNCTION = "the business function"

TEMPLATES: tuple[Template, ...] = (
    Template(
        "B_01.01",
        "Entity maintaining the register of information",
        (
            Column("c0010", "LEI of the entity maintaining the register of information", "lei",
                   required=True, fix=f"LEI in {ORG}"),
            Column("c0020", "Name of the entity", required=True, fix=f"name in {ORG}"),
            Column("c0030", "Country of the entity", "country", COUNTRIES, True,
                   f"country in {ORG}"),
            Column("c0040", "Type of entity", "code", codes.ENTITY_TYPES, True,
                   f"entity type in {ORG}"),
            Column("c0050", "Competent Authority", required=True,
                   fix=f"competent authority in {ORG}"),
            Column("c0060", "Date of the reporting", "date", required=True),
        ),
        key=("c0010",),
    ),
    Template(
        "B_01.02",
        "List of entities within the scope of the register of information",
        (
            Column("c0010", "LEI of the entity", "lei", required=True, fix=f"LEI in {ORG}"),
            Column("c0020", "Name of the entity", required=True, fix=f"name in {ORG}"),
            Column("c0030", "Country of the entity", "country", COUNTRIES, True,
                   f"country in {ORG}"),
            Column("c0040", "Type of entity", "code", codes.ENTITY_TYPES, True,
                   f"entity type in {ORG}"),
            Column("c0050", "Hierarchy of the entity within the group (where applicable)", "code",
                   codes.HIERARCHY, True),
            Column("c0060", "LEI of the direct parent undertaking of the entity", "lei",
                   required=True),
            Column("c0070", "Date of last update", "date", required=True),
            Column("c0080", "Date of integration in the register of information", "date",
                   required=True),
            Column("c0090", "Date of deletion in the register of information", "date",
                   required=True),
            Column("c0100", "Currency", "currency", CURRENCY_CODES,
                   fix=f"reporting currency in {ORG}"),
            Column("c0110", "Value of total assets of the financial entity", "money",
                   required=FINANCIAL_ENTITY, fix=f"total assets in {ORG}"),
        ),
        key=("c0010",),
        foreign_keys=(_to_entity("c0060"),),
    ),
    Template(
        "B_01.03",
        "List of branches",
        (
            Column("c0010", "Identification code of the branch", "id", required=True,
                   fix=f"code of the branch in {GROUP}"),
            Column("c0020", "LEI of the financial entity head office of the branch", "lei",
                   required=True, fix=f"head office of the branch in {GROUP}"),
            Column("c0030", "Name of the branch", required=True,
                   fix=f"name of the branch in {GROUP}"),
            Column("c0040", "Country of the branch", "country", COUNTRIES, True,
                   f"country of the branch in {GROUP}"),
        ),
        key=("c0010",),
        foreign_keys=(_to_entity("c0020"),),
    ),
    Template(
        "B_02.01",
        "Contractual arrangements – General information",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True,
                   fix=f"“Reference number” of {ARR}"),
            Column("c0020", "Type of contractual arrangement", "code", codes.ARRANGEMENT_TYPES,
                   True, f"“Type of arrangement” of {ARR}"),
            Column("c0030", "Overarching contractual arrangement reference number", "id",
                   fix=f"“Overarching arrangement reference” of {ARR}"),
            Column("c0040", "Currency of the amount reported in RT.02.01.0050", "currency",
                   CURRENCY_CODES, _filled("c0050"), f"“Currency” of {ARR}"),
            Column("c0050", "Annual expense or estimated cost of the contractual arrangement for "
                   "the past year", "money", required=True,
                   fix=f"“Annual expense or estimated cost” of {ARR}"),
        ),
        key=("c0010",),
        foreign_keys=(
            ForeignKey(("c0030",), ARRANGEMENT, ("c0010",), "arrangements (B_02.01)"),
        ),
    ),
    Template(
        "B_02.02",
        "Contractual arrangements – Specific information",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True,
                   fix=f"“Reference number” of {ARR}"),
            Column("c0020", "LEI of the entity making use of the ICT service(s)", "lei",
                   required=True, fix=f"LEI in {ORG}"),
            Column("c0030", "Identification code of the ICT third-party service provider", "id",
                   required=True, fix=f"identifier of {VENDOR}"),
            Column("c0040", "Type of code to identify the ICT third-party service provider",
                   "code", codes.CODE_TYPES, True, f"identifier type of {VENDOR}"),
            Column("c0050", "Function identifier", "id", required=True,
                   fix=f"“Business function supported” of {ARR}"),
            Column("c0060", "Type of ICT services", "code", codes.ICT_SERVICES, True,
                   f"“Type of ICT service” of {ARR}"),
            Column("c0070", "Start date of the contractual arrangement", "date", required=True,
                   fix=f"“Start date” of {ARR}"),
            Column("c0080", "End date of the contractual arrangement", "date", required=True,
                   fix=f"“End date” of {ARR}"),
            Column("c0090", "Reason of the termination or ending of the contractual arrangement",
                   "code", codes.TERMINATION_REASONS, _flag(ENDED),
                   f"“Reason of termination” of {ARR}"),
            Column("c0100", "Notice period for the financial entity making use of the ICT "
                   "service(s)", "int", required=_flag(CIF), fix=f"“Notice period for us” of {ARR}"),
            Column("c0110", "Notice period for the ICT third-party service provider", "int",
                   required=_flag(CIF), fix=f"“Notice period for the provider” of {ARR}"),
            Column("c0120", "Country of the governing law of the contractual arrangement",
                   "country", COUNTRIES, _flag(CIF), f"“Country of the governing law” of {ARR}"),
            Column("c0130", "Country of provision of the ICT services", "country",
                   COUNTRIES_OR_NA, _flag(CIF),
                   f"“Country of provision of the service” of {ARR}"),
            Column("c0140", "Storage of data", "code", codes.YES_NO, _flag(CIF),
                   f"“The provider stores data” of {ARR}"),
            Column("c0150", "Location of the data at rest (storage)", "country", COUNTRIES_OR_NA,
                   _equals("c0140", YES), f"“Countries of data storage” of {ARR}"),
            Column("c0160", "Location of management of the data (processing)", "country",
                   COUNTRIES_OR_NA, fix=f"“Countries of data processing” of {ARR}"),
            Column("c0170", "Sensitiveness of the data stored by the ICT third-party service "
                   "provider", "code", codes.DATA_SENSITIVITY, _cif_and("c0140", YES),
                   f"“Sensitivity of the data stored” of {ARR}"),
            Column("c0180", "Level of reliance on the ICT service supporting the critical or "
                   "important function", "code", codes.RELIANCE, _flag(CIF),
                   f"“Level of reliance” of {ARR}"),
        ),
        key=("c0010", "c0020", "c0030", "c0050", "c0060", "c0130", "c0150", "c0160"),
        foreign_keys=(
            _to_arrangement(),
            _to_entity("c0020"),
            _to_provider("c0030", "c0040"),
            ForeignKey(("c0050",), FUNCTIONS, ("c0010",), "business functions (B_06.01)"),
        ),
    ),
    Template(
        "B_02.03",
        "List of intra-group contractual arrangements",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True),
            Column("c0020", "Contractual arrangement linked to the contractual arrangement "
                   "referred in RT.02.03.0010", "id", required=True,
                   fix=f"“Arrangement it relies on” of {ARR}"),
            Column("c0030", "Link", "flag", required=True),
        ),
        key=("c0010", "c0020"),
        foreign_keys=(_to_arrangement(), _to_arrangement("c0020")),
    ),
    Template(
        "B_03.01",
        "Entities signing the contractual arrangements for receiving ICT service(s) or on "
        "behalf of the entities making use of the ICT service(s)",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True),
            Column("c0020", "LEI of the entity signing the contractual arrangement", "lei",
                   required=True, fix=f"LEI in {ORG}"),
            Column("c0030", "Link", "flag", required=True),
        ),
        key=("c0010", "c0020"),
        foreign_keys=(_to_arrangement(), _to_entity("c0020")),
    ),
    Template(
        "B_03.02",
        "ICT third-party service providers signing the contractual arrangements for providing "
        "ICT service(s)",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True),
            Column("c0020", "Identification code of ICT third-party service provider", "id",
                   required=True, fix=f"identifier of {VENDOR}"),
            Column("c0030", "Type of code to identify the ICT third-party service provider",
                   "code", codes.CODE_TYPES, True, f"identifier type of {VENDOR}"),
        ),
        key=("c0010", "c0020"),
        foreign_keys=(_to_arrangement(), _to_provider("c0020", "c0030")),
    ),
    Template(
        "B_03.03",
        "Entities signing the contractual arrangements for providing ICT service(s) to other "
        "entity within the scope of consolidation",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True),
            Column("c0020", "LEI of the entity providing ICT services", "lei", required=True,
                   fix=f"group entity of the intra-group {VENDOR}"),
            Column("c0031", "Link", "flag", required=True),
        ),
        key=("c0010", "c0020"),
        foreign_keys=(_to_arrangement(), _to_entity("c0020")),
    ),
    Template(
        "B_04.01",
        "Entities making use of the ICT services",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True),
            Column("c0020", "LEI of the entity making use of the ICT service(s)", "lei",
                   required=True, fix=f"LEI in {ORG}"),
            Column("c0030", "Nature of the entity making use of the ICT service(s)", "code",
                   codes.ENTITY_NATURE, True),
            Column("c0040", "Identification code of the branch", "id",
                   required=_equals("c0030", "eba_ZZ:x838")),
        ),
        key=("c0010", "c0020", "c0040"),
        foreign_keys=(
            _to_arrangement(),
            _to_entity("c0020"),
            ForeignKey(("c0040",), BRANCHES, ("c0010",), "branches (B_01.03)"),
        ),
    ),
    Template(
        "B_05.01",
        "ICT third-party service providers",
        (
            Column("c0010", "Identification code of ICT third-party service provider", "id",
                   required=True, fix="identifier of the vendor or subcontractor"),
            Column("c0020", "Type of code to identify the ICT third-party service provider",
                   "code", codes.CODE_TYPES, True, "identifier type of the vendor or subcontractor"),
            Column("c0030", "Additional identification code of ICT third-party service provider",
                   "id", fix=f"additional identifier of {VENDOR}"),
            Column("c0040", "Type of additional identification code of the ICT third-party "
                   "service provider", "code", codes.CODE_TYPES, _filled("c0030"),
                   f"additional identifier type of {VENDOR}"),
            Column("c0050", "Legal name of the ICT third-party service provider", required=True,
                   fix="legal name of the vendor or subcontractor"),
            Column("c0060", "Name of the ICT third-party service provider in Latin alphabet",
                   fix=f"name in the Latin alphabet of {VENDOR}"),
            Column("c0070", "Type of person of the ICT third-party service provider", "code",
                   codes.PERSON_TYPES, True, f"person type of {VENDOR}"),
            Column("c0080", "Country of the ICT third-party service provider's headquarters",
                   "country", COUNTRIES, True, "country of the vendor or subcontractor"),
            Column("c0090", "Currency of the amount reported in RT.05.01.0070", "currency",
                   CURRENCY_CODES, _filled("c0100"), f"currency of {VENDOR}"),
            Column("c0100", "Total annual expense or estimated cost of the ICT third-party "
                   "service provider", "money", required=_flag(DIRECT),
                   fix=f"total annual expense of {VENDOR}"),
            Column("c0110", "Identification code of the ICT third-party service provider's "
                   "ultimate parent undertaking", "id", required=True,
                   fix=f"parent identifier of {VENDOR}"),
            Column("c0120", "Type of code to identify the ICT third-party service provider's "
                   "ultimate parent undertaking", "code", codes.CODE_TYPES, True,
                   f"parent identifier type of {VENDOR}"),
        ),
        key=("c0010", "c0020"),
        foreign_keys=(
            ForeignKey(("c0110", "c0120"), PROVIDERS, ("c0010", "c0020"),
                       "providers (B_05.01)"),
        ),
    ),
    Template(
        "B_05.02",
        "ICT service supply chains",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True),
            Column("c0020", "Type of ICT services", "code", codes.ICT_SERVICES, True,
                   f"“Type of ICT service” of {ARR}"),
            Column("c0030", "Identification code of the ICT third-party service provider", "id",
                   required=True, fix="identifier of the vendor or subcontractor"),
            Column("c0040", "Type of code to identify the ICT third-party service provider",
                   "code", codes.CODE_TYPES, True),
            Column("c0050", "Rank", "int", required=True, fix="rank of the subcontractor"),
            Column("c0060", "Identification code of the recipient of sub-contracted ICT services",
                   "id", required=RANK_ABOVE_ONE, fix="recipient of the subcontractor"),
            Column("c0070", "Type of code to identify the recipient of sub-contracted ICT "
                   "services", "code", codes.CODE_TYPES, RANK_ABOVE_ONE),
        ),
        key=("c0010", "c0020", "c0030", "c0050", "c0060"),
        foreign_keys=(
            _to_arrangement(),
            _to_provider("c0030", "c0040"),
            _to_provider("c0060", "c0070"),
        ),
    ),
    Template(
        "B_06.01",
        "Functions identification",
        (
            Column("c0010", "Function identifier", "id", required=True, fix=f"code of {FUNCTION}"),
            Column("c0020", "Licenced activity", "code", codes.LICENSED_ACTIVITY_CODES, True,
                   f"licensed activity of {FUNCTION}"),
            Column("c0030", "Function name", required=True, fix=f"name of {FUNCTION}"),
            Column("c0040", "LEI of the financial entity", "lei", required=True,
                   fix=f"LEI in {ORG}"),
            Column("c0050", "Criticality or importance assessment", "code", codes.CRITICALITY,
                   True, f"criticality of {FUNCTION}"),
            Column("c0060", "Reasons for criticality or importance", required=_equals("c0050", YES),
                   fix=f"reasons for criticality of {FUNCTION}"),
            Column("c0070", "Date of the last assessment of criticality or importance", "date",
                   required=True, fix=f"date of the last assessment of {FUNCTION}"),
            Column("c0080", "Recovery time objective of the function", "int",
                   required=_equals("c0050", YES), fix=f"RTO (hours) of {FUNCTION}"),
            Column("c0090", "Recovery point objective of the function", "int",
                   required=_equals("c0050", YES), fix=f"RPO (hours) of {FUNCTION}"),
            Column("c0100", "Impact of discontinuing the function", "code", codes.IMPACT, True,
                   f"impact of discontinuing {FUNCTION}"),
        ),
        key=("c0010",),
        foreign_keys=(_to_entity("c0040"),),
    ),
    Template(
        "B_07.01",
        "Assessment of the ICT services",
        (
            Column("c0010", "Contractual arrangement reference number", "id", required=True),
            Column("c0020", "Identification code of the ICT third-party service provider", "id",
                   required=True, fix=f"identifier of {VENDOR}"),
            Column("c0030", "Type of code to identify the ICT third-party service provider",
                   "code", codes.CODE_TYPES, True),
            Column("c0040", "Type of ICT services", "code", codes.ICT_SERVICES, True,
                   f"“Type of ICT service” of {ARR}"),
            Column("c0050", "Substitutability of the ICT third-party service provider", "code",
                   codes.SUBSTITUTABILITY, True, f"“Substitutability” of {ARR}"),
            Column("c0060", "Reason if the ICT third-party service provider is considered not "
                   "substitutable or difficult to be substitutable", "code",
                   codes.NOT_SUBSTITUTABLE_REASONS, _equals("c0050", *codes.HARD_TO_SUBSTITUTE),
                   f"“Why it is hard to substitute” of {ARR}"),
            Column("c0070", "Date of the last audit on the ICT third-party service provider",
                   "date", fix=f"last audit date of {VENDOR}"),
            Column("c0080", "Existence of an exit plan", "code", codes.YES_NO, True,
                   f"“An exit plan exists for this service” of {ARR}"),
            Column("c0090", "Possibility of reintegration of the contracted ICT service", "code",
                   codes.REINTEGRATION, True, f"“Reintegration” of {ARR}"),
            Column("c0100", "Impact of discontinuing the ICT services", "code", codes.IMPACT,
                   True, f"“Impact of discontinuing the service” of {ARR}"),
            Column("c0110", "Are there alternative ICT third-party service providers identified?",
                   "code", codes.ALTERNATIVES, True, f"“Alternative providers identified” of {ARR}"),
            Column("c0120", "Identification of alternative ICT TPP",
                   fix=f"“Alternative providers (names)” of {ARR}"),
        ),
        key=("c0010", "c0020", "c0030", "c0040"),
        foreign_keys=(_to_arrangement(), _to_provider("c0020", "c0030")),
    ),
    Template(
        "B_99.01",
        "Definitions from entities making use of the ICT services",
        tuple(
            Column(code, label, required=True)
            for code, label in (
                ("c0010", "Standalone arrangement"),
                ("c0020", "Overarching arrangement"),
                ("c0030", "Subsequent or associated arrangement"),
                ("c0040", "Sensitiveness of data: Low"),
                ("c0050", "Sensitiveness of data: Medium"),
                ("c0060", "Sensitiveness of data: High"),
                ("c0070", "Impact of discontinuing the function: Low"),
                ("c0080", "Impact of discontinuing the function: Medium"),
                ("c0090", "Impact of discontinuing the function: High"),
                ("c0100", "Not substitutable"),
                ("c0110", "Highly complex substitutability"),
                ("c0120", "Medium complexity in terms of substitutability"),
                ("c0130", "Easily substitutable"),
                ("c0140", "Reintegration: Easy"),
                ("c0150", "Reintegration: Difficult"),
                ("c0160", "Reintegration: Highly complex"),
                ("c0170", "Impact of discontinuing the ICT services: Low"),
                ("c0180", "Impact of discontinuing the ICT services: Medium"),
                ("c0190", "Impact of discontinuing the ICT services: High"),
            )
        ),
    ),
)  # fmt: skip

TEMPLATE_BY_ID: dict[str, Template] = {t.id: t for t in TEMPLATES}
