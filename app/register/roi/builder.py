"""Register facts → the templates' tables of EBA-coded values (pure).

Which arrangements are reported: by their dates alone, whatever the vendor's status (DORA
Art. 28(3) asks for all of them): those in force at some point of the twelve months ending on
the reference date (not started after it, not ended before that year began). The others are
listed as exclusions so the page can say why an arrangement is missing; a vendor status that
contradicts the dates is a blocking problem of `checks.py`, not a reason to leave one out.
Values are written as they go into the CSV files (`cells.py`); the validator then reads the
tables, so it checks what a supervisor would receive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter

from app.register.roi import arrangements, cells, codes
from app.register.roi.arrangements import Arrangements
from app.register.roi.data import (
    ContractFacts,
    EntityFacts,
    FunctionFacts,
    RegisterData,
    SubcontractorFacts,
    VendorFacts,
)
from app.register.roi.spec import DIRECT
from app.register.roi.table import NO_FLAGS, SourceTuple, Table, row_source
from app.register.roi.taxonomy import Taxonomy, taxonomy

DIRECT_ONLY = frozenset({DIRECT})  # shared by every vendor's provider row
INDIVIDUAL = "IND"
CONSOLIDATED = "CON"
LEVELS = {INDIVIDUAL: "individual", CONSOLIDATED: "consolidated"}

# B_99.01: what Assay means by each closed-list option it uses.
DEFINITIONS: dict[str, str] = {
    "c0010": "An arrangement that is neither a framework agreement nor concluded under one.",
    "c0020": "A framework agreement under which subsequent arrangements are concluded.",
    "c0030": "An arrangement concluded under an overarching arrangement, which it references.",
    "c0040": "Data whose loss or disclosure would have a limited impact (no personal data "
    "beyond business contact details).",
    "c0050": "Internal or personal data whose loss or disclosure would cause noticeable but "
    "contained harm to customers or the entity.",
    "c0060": "Confidential, payment or special-category personal data whose loss or disclosure "
    "would cause serious harm.",
    "c0070": "Discontinuing the function would cause minor inconvenience without harm to "
    "customers or regulatory obligations.",
    "c0080": "Discontinuing the function would disrupt customers or operations but could be "
    "absorbed within the recovery objectives.",
    "c0090": "Discontinuing the function would stop a regulated service to customers or breach "
    "regulatory obligations.",
    "c0100": "No alternative provider exists, or the service cannot be moved in practice.",
    "c0110": "Alternatives exist but moving the service would take a major programme of more "
    "than a year.",
    "c0120": "Alternatives exist and the service could be moved within a year with planned effort.",
    "c0130": "Alternatives exist and the service could be moved within a few months.",
    "c0140": "The service could be brought back in-house with existing staff and tools.",
    "c0150": "Bringing the service back in-house would need new staff, tools or significant time.",
    "c0160": "Bringing the service back in-house is not realistic in the medium term.",
    "c0170": "Losing the ICT service would cause minor inconvenience; a workaround exists.",
    "c0180": "Losing the ICT service would disrupt the supported function until it is replaced "
    "or restored.",
    "c0190": "Losing the ICT service would stop the supported function.",
}


@dataclass(frozen=True)
class Exclusion:
    """An arrangement Assay holds that this report leaves out, and why."""

    reference: str
    vendor: str
    reason: str
    link: str


@dataclass
class BuiltRegister:
    data: RegisterData
    tables: dict[str, Table]  # by template id, in template order
    excluded: list[Exclusion]
    taxonomy: Taxonomy
    level: str = "IND"  # IND (individual) or CON (consolidated)

    @property
    def filing_indicators(self) -> dict[str, bool]:
        """FilingIndicators.csv: a template is reported exactly when it has rows (rule 808)."""
        return {template_id: table.reported for template_id, table in self.tables.items()}


ORGANISATION_LINK = "/settings/organisation"  # where an administrator edits B_01 values
ENTITIES_LINK = "/register/roi/entities"  # the group's entities and branches (B_01.02, B_01.03)


def _year_before(ref_date: date) -> date:
    """The first day of the twelve months ending on the reference date."""
    try:
        return ref_date.replace(year=ref_date.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        return date(ref_date.year - 1, 3, 1)


def exclusion_reason(contract: ContractFacts, ref_date: date) -> str | None:
    """Why an arrangement is not in the register as at `ref_date` (None: it is)."""
    if contract.start_date and contract.start_date > ref_date:
        return f"it starts after the reference date {ref_date.isoformat()}"
    if contract.end_date and contract.end_date < _year_before(ref_date):
        return f"it ended before the reporting year ({contract.end_date.isoformat()})"
    return None


def _dated(entities: Iterable[EntityFacts], data: RegisterData) -> list[EntityFacts]:
    """The entities in the register during the year up to the reference date (one deleted during
    it is still reported, with its date of deletion). The entity maintaining the register always
    is: its integration date is when it started using Assay, not when it joined a group."""
    start = _year_before(data.ref_date)
    return [
        e
        for e in entities
        if e.maintains_register
        or (
            (e.integrated_on is None or e.integrated_on <= data.ref_date)
            and (e.deleted_on is None or e.deleted_on >= start)
        )
    ]


def entities_in_scope(data: RegisterData) -> list[EntityFacts]:
    """B_01.02's entities: at individual level the entity filed for; at consolidated level every
    entity of the group in the register during the year up to the reference date."""
    if data.level != CONSOLIDATED or not data.entities:
        return [data.entity]
    return _dated(data.entities, data)


def has_entity_data(data: RegisterData) -> bool:
    """Whether the register has an entity to file for as at its reference date: one with an LEI,
    in scope on that date (a snapshot of a date before a subsidiary joined has nothing to file)."""
    return any(cells.lei(e.lei) for e in _dated([data.entity], data)) and bool(
        entities_in_scope(data)
    )


# B_05.02's columns: arrangement, ICT service type, provider, its type of code, rank,
# recipient of the sub-contracted services, its type of code
CHAIN_COLUMNS = ("c0010", "c0020", "c0030", "c0040", "c0050", "c0060", "c0070")
BY_RANK_AND_NAME = attrgetter("rank", "name")  # a chain's subcontractors, in order


class _Builder:
    def __init__(self, data: RegisterData) -> None:
        self.data = data
        self.entity = data.entity
        self.lei = cells.lei(data.entity.lei)
        self.level = data.level if data.level in LEVELS else INDIVIDUAL
        self.entities = entities_in_scope(data)
        self.leis = {cells.lei(e.lei) for e in self.entities}
        self.default_users = (self.lei,) if self.lei in self.leis else ()
        self.branches = {b.code: b for b in data.branches if cells.lei(b.head_lei) in self.leis}
        self.vendors = {v.id: v for v in data.vendors}
        self.functions = {f.code: f for f in data.functions}
        self.taxonomy = taxonomy(data.release)
        self.tables = {t.id: Table(t) for t in self.taxonomy.templates}
        self.providers: set[tuple[str, str]] = set()  # B_05.01's keys: each provider once
        self.vendors_listed: set[int] = set()
        # (parent key, parent name, the provider's name, the page to fix it on)
        self.parents: list[tuple[tuple[str, str], str | None, str, str | None]] = []
        self.costs: dict[tuple[int, str], list[Decimal]] = {}  # by vendor and currency
        self.excluded: list[Exclusion] = []

    def build(self) -> BuiltRegister:
        self._entity()
        scope = self._in_scope()
        self.tables["B_02.01"].extend(*arrangements.contractual_arrangements(scope))
        self.tables["B_02.02"].extend(*arrangements.uses(scope))
        self._signatures(scope)
        self.tables["B_03.02"].extend(*arrangements.direct_providers(scope))
        self.tables["B_04.01"].extend(*arrangements.entity_users(scope))
        self._intra_group(scope)
        self._supply_chains(scope)
        self._ultimate_parents()
        self.tables["B_07.01"].extend(*arrangements.assessments(scope))
        self._functions()
        self.tables["B_99.01"].add(
            DEFINITIONS, row_source("fixed", "Assay's definitions of the closed lists")
        )
        return BuiltRegister(self.data, self.tables, self.excluded, self.taxonomy, self.level)

    def _scope_name(self) -> str:
        if self.level == CONSOLIDATED:
            return "the group"
        return f"{self.entity.name} and its branches"

    def _users(self, contract: ContractFacts) -> tuple[str, ...]:
        """The entities in scope that use the arrangement (B_02.02 c0020, B_04.01 c0020): by
        default the entity maintaining the register, when it is in scope."""
        if not contract.users:
            return self.default_users
        return tuple(lei for lei in cells.unique(contract.users) or [self.lei] if lei in self.leis)

    def _branch_users(self, contract: ContractFacts) -> tuple[str, ...]:
        if not contract.branch_users:
            return ()
        return tuple(code for code in dict.fromkeys(contract.branch_users) if code in self.branches)

    # --- B_01: the organisation ---------------------------------------------------------------

    def _entity(self) -> None:
        e = self.entity
        source = row_source("organisation", f"organisation {e.name}", ORGANISATION_LINK)
        country = codes.prefixed("eba_GA:", e.country)
        entity_type = codes.prefixed("eba_CT:", e.entity_type)
        report = cells.iso(self.data.report_date)
        self.tables["B_01.01"].add(
            {
                "c0010": self.lei,
                "c0020": e.name,
                "c0030": country,
                "c0040": entity_type,
                "c0050": e.competent_authority or "",
                "c0060": report,
            },
            source,
        )
        for entity in self.entities:
            self._entity_in_scope(entity, source if cells.lei(entity.lei) == self.lei else None)
        for branch in sorted(self.branches.values(), key=lambda b: b.code):
            self.tables["B_01.03"].add(
                {
                    "c0010": branch.code,
                    "c0020": cells.lei(branch.head_lei),
                    "c0030": branch.name,
                    "c0040": codes.prefixed("eba_GA:", branch.country),
                },
                row_source("branch", f"branch {branch.code} {branch.name}", ENTITIES_LINK),
            )

    def _entity_in_scope(self, e: EntityFacts, source: SourceTuple | None) -> None:
        lei = cells.lei(e.lei)
        source = source or row_source("entity", f"entity {e.name}", ENTITIES_LINK)
        parent = cells.lei(e.parent_lei)
        # At individual level the parent is outside this register: B_01.02 c0060 refers to a
        # B_01.02 row, so the entity then names itself (see docs, [?]).
        if not parent or (parent not in self.leis):
            parent = lei
        ref = self.data.ref_date
        deleted = e.deleted_on if e.deleted_on and e.deleted_on <= ref else None
        self.tables["B_01.02"].add(
            {
                "c0010": lei,
                "c0020": e.name,
                "c0030": codes.prefixed("eba_GA:", e.country),
                "c0040": codes.prefixed("eba_CT:", e.entity_type),
                "c0050": codes.prefixed("eba_RP:", e.hierarchy),
                "c0060": parent,
                # as at the reference date: never a date after it
                "c0070": cells.iso(min(self.data.report_date, ref)),
                "c0080": cells.iso(e.integrated_on) or cells.iso(ref),
                "c0090": cells.iso(deleted) or codes.OPEN_ENDED,  # open: still in scope
                "c0100": codes.prefixed("eba_CU:", e.currency),
                "c0110": cells.number(e.total_assets),
            },
            source,
        )

    # --- B_02 to B_05, B_07: the arrangements -------------------------------------------------
    # Chosen here, with what the templates share worked out once; the templates that need
    # nothing else of the register are filled column by column in `arrangements.py`.

    def _in_scope(self) -> Arrangements:
        """The arrangements reported, by reference; the others are listed as exclusions."""
        scope = Arrangements()
        for contract in sorted(self.data.contracts, key=attrgetter("reference")):
            vendor = self.vendors.get(contract.vendor_id)
            users, branches = self._users(contract), self._branch_users(contract)
            reason = exclusion_reason(contract, self.data.ref_date)
            if not reason and not (users or branches):
                reason = f"no entity of this register ({self._scope_name()}) uses it"
            if reason:
                name = vendor.legal_name if vendor else "an unknown vendor"
                self.excluded.append(
                    Exclusion(contract.reference, name, reason, cells.contract_link(contract))
                )
                continue
            if contract.annual_cost is not None:
                key = (contract.vendor_id, contract.currency)
                self.costs.setdefault(key, []).append(contract.annual_cost)
            scope.contracts.append(contract)
            scope.vendors.append(vendor)
            scope.sources.append(
                row_source(
                    "arrangement",
                    f"arrangement {contract.reference} with "
                    f"{vendor.legal_name if vendor else 'no vendor'}",
                    cells.contract_link(contract),
                )
            )
            scope.flags.append(self._flags(contract))
            scope.provider_ids.append(vendor.identifier if vendor else "")
            scope.provider_types.append(cells.code_type(vendor.identifier_type) if vendor else "")
            scope.services.append(codes.prefixed("eba_TA:", contract.ict_service_type))
            scope.users.append(users)
            scope.branches.append(branches)
            scope.heads.append(
                tuple(cells.lei(self.branches[code].head_lei) for code in branches)
                if branches
                else ()
            )
        return scope

    def _flags(self, contract: ContractFacts) -> frozenset[str]:
        """What the conditional columns of the arrangement's rows depend on."""
        function = self.functions.get(contract.function_code or "")
        critical = contract.supports_critical_function or bool(
            function and function.critical == "yes"
        )
        ended = bool(contract.end_date and contract.end_date <= self.data.ref_date)
        return arrangements.FLAG_SETS[critical, ended]

    def _signatures(self, scope: Arrangements) -> None:
        """B_03.01: the entity that signed each arrangement."""
        self.tables["B_03.01"].extend(
            {
                "c0010": scope.references,
                "c0020": list(map(self._signer, scope.contracts, scope.users, scope.heads)),
                "c0030": [cells.TRUE] * len(scope),
            },
            scope.sources,
        )

    def _signer(
        self, contract: ContractFacts, users: tuple[str, ...], heads: tuple[str, ...]
    ) -> str:
        """The entity that signed (for itself or on behalf of the users); at individual level a
        signer outside this register is replaced by the user it signed for (see docs, [?])."""
        signer = cells.lei(contract.signer_lei) or self.lei
        if signer not in self.leis:
            signer = (users or heads)[0]
        return signer

    def _intra_group(self, scope: Arrangements) -> None:
        """At consolidated level, an arrangement whose provider is an entity of the group: who
        provides it (B_03.03) and the arrangement it relies on (B_02.03). At individual level
        the providing entity is outside the register, so both stay empty (see docs)."""
        if self.level != CONSOLIDATED:
            return
        for contract, source in zip(scope.contracts, scope.sources, strict=True):
            provider = cells.lei(contract.intra_group_lei)
            if not provider:
                continue
            ref = contract.reference
            self.tables["B_03.03"].add(
                {"c0010": ref, "c0020": provider, "c0031": cells.TRUE}, source
            )
            if contract.linked_reference:
                self.tables["B_02.03"].add(
                    {"c0010": ref, "c0020": contract.linked_reference, "c0030": cells.TRUE}, source
                )

    # --- B_05: providers and supply chains ------------------------------------------------------

    def _supply_chains(self, scope: Arrangements) -> None:
        """B_05.02: each arrangement's chain, its direct provider at rank 1 and then its
        subcontractors; and B_05.01: every provider met on the way, once."""
        lines: list[tuple[str, ...]] = []
        sources: list[SourceTuple] = []
        for contract, vendor, source, provider_id, provider_type, service in zip(
            scope.contracts,
            scope.vendors,
            scope.sources,
            scope.provider_ids,
            scope.provider_types,
            scope.services,
            strict=True,
        ):
            if vendor is not None:
                self._vendor_provider(vendor)
            kinds = {provider_id: provider_type} if vendor else {}
            kinds |= {
                s.identifier: cells.code_type(s.identifier_type) for s in contract.subcontractors
            }
            kinds.setdefault(provider_id, "")
            # Rank 1 has no recipient of its own: the key column names the direct provider
            # itself, so it is never empty and still refers to a B_05.01 row.
            kind = kinds[provider_id]
            link = cells.vendor_link(contract.vendor_id)
            lines.append((contract.reference, service, provider_id, kind, "1", provider_id, kind))
            sources.append(source)
            for sub in sorted(contract.subcontractors, key=BY_RANK_AND_NAME):
                recipient = sub.recipient_identifier or (provider_id if sub.rank == 2 else "")
                lines.append(
                    (
                        contract.reference,
                        service,
                        sub.identifier,
                        kinds[sub.identifier],
                        str(sub.rank),
                        recipient,
                        kinds.get(recipient, "") if recipient else "",
                    )
                )
                sources.append(
                    self._subcontractor(contract, vendor, sub, kinds[sub.identifier], link)
                )
        self.tables["B_05.02"].extend(arrangements.by_column(CHAIN_COLUMNS, lines), sources)

    def _subcontractor(
        self,
        contract: ContractFacts,
        vendor: VendorFacts | None,
        sub: SubcontractorFacts,
        kind: str,
        link: str,
    ) -> SourceTuple:
        """A subcontractor's source in the arrangement's chain; its B_05.01 row the first time
        it is met, and its ultimate parent for `_ultimate_parents`."""
        vendor_name = vendor.legal_name if vendor else "no vendor"
        source = row_source(
            "subcontractor",
            f"subcontractor {sub.name} of arrangement {contract.reference} ({vendor_name})",
            link,
        )
        parent = (sub.identifier, kind)
        if sub.parent_identifier:
            parent = (sub.parent_identifier, cells.code_type(sub.parent_identifier_type or "LEI"))
            self.parents.append((parent, sub.parent_name, f"subcontractor {sub.name}", link))
        if (sub.identifier, kind) not in self.providers:
            self._provider(
                {
                    "c0010": sub.identifier,
                    "c0020": kind,
                    "c0050": sub.name,
                    "c0070": codes.PERSON_TYPE_CODE["legal"],
                    "c0080": codes.prefixed("eba_GA:", sub.country),
                    # no arrangement of our own with a subcontractor: no currency or expense
                    "c0110": parent[0],
                    "c0120": parent[1],
                },
                source,
            )
        return source

    def _vendor_provider(self, vendor: VendorFacts) -> None:
        if vendor.id in self.vendors_listed:
            return  # its row is written (the vendor of an earlier arrangement)
        self.vendors_listed.add(vendor.id)
        key = (vendor.identifier, cells.code_type(vendor.identifier_type))
        if key in self.providers:
            return
        parent = key
        if vendor.parent_identifier:
            parent = (vendor.parent_identifier, cells.code_type(vendor.parent_identifier_type))
            self.parents.append(
                (
                    parent,
                    vendor.parent_name,
                    f"vendor {vendor.legal_name}",
                    cells.vendor_link(vendor.id),
                )
            )
        expense = vendor.annual_expense
        if expense is None:
            costs = self.costs.get((vendor.id, vendor.currency))
            expense = sum(costs, Decimal(0)) if costs else None
        self._provider(
            {
                "c0010": key[0],
                "c0020": key[1],
                "c0030": vendor.additional_identifier or "",
                "c0040": cells.code_type(vendor.additional_identifier_type)
                if vendor.additional_identifier
                else "",
                "c0050": vendor.legal_name,
                "c0060": vendor.latin_name or "",
                "c0070": codes.coded(codes.PERSON_TYPE_CODE, vendor.person_type),
                "c0080": codes.prefixed("eba_GA:", vendor.hq_country),
                "c0090": codes.prefixed("eba_CU:", vendor.currency) if expense is not None else "",
                "c0100": cells.number(expense),
                "c0110": parent[0],
                "c0120": parent[1],
            },
            row_source("vendor", f"vendor {vendor.legal_name}", cells.vendor_link(vendor.id)),
            DIRECT_ONLY,
        )

    def _provider(self, values: dict[str, str], source: SourceTuple, flags=NO_FLAGS) -> None:
        key = (values["c0010"], values["c0020"])
        if key not in self.providers:
            self.providers.add(key)
            self.tables["B_05.01"].add(values, source, flags)

    def _ultimate_parents(self) -> None:
        """A provider's ultimate parent is itself a row of B_05.01 (its c0110 refers to one)."""
        for key, parent_name, child, link in self.parents:
            self._provider(
                {
                    "c0010": key[0],
                    "c0020": key[1],
                    "c0030": "",
                    "c0040": "",
                    "c0050": parent_name or "",
                    "c0060": "",
                    "c0070": codes.PERSON_TYPE_CODE["legal"],
                    "c0080": "",  # Assay records no country for a parent undertaking
                    "c0090": "",
                    "c0100": "",
                    "c0110": key[0],
                    "c0120": key[1],
                },
                row_source(
                    "parent",
                    f"ultimate parent {parent_name or key[0]} of {child}",
                    link,
                    fix="Assay records only the parent's name and identifier: complete the "
                    "package, or register the parent as a vendor with an arrangement",
                ),
            )

    # --- B_06.01 --------------------------------------------------------------------------------

    def _functions(self) -> None:
        def order(f: FunctionFacts) -> tuple[int, str]:
            digits = f.code[1:]
            return (int(digits) if digits.isdigit() else 10**9, f.code)

        for f in sorted(self.data.functions, key=order):
            self.tables["B_06.01"].add(
                {
                    "c0010": f.code,
                    "c0020": codes.prefixed("eba_TA:", f.licensed_activity),
                    "c0030": f.name,
                    "c0040": self.lei,
                    "c0050": codes.coded(codes.CRITICALITY_CODE, f.critical),
                    "c0060": f.criticality_reasons or "",
                    "c0070": cells.iso(f.last_assessed),
                    "c0080": cells.number(f.rto_hours),
                    "c0090": cells.number(f.rpo_hours),
                    "c0100": codes.coded(codes.IMPACT_CODE, f.discontinuation_impact),
                },
                row_source("function", f"function {f.code} {f.name}", cells.function_link(f)),
            )


def build(data: RegisterData) -> BuiltRegister:
    """Every template's table for one register (templates without a data source stay empty)."""
    return _Builder(data).build()
