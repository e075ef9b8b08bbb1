"""What the register's facts contradict before any table is built (pure).

The validator reads the tables as a supervisor would; some faults cannot be seen there: a vendor
status that contradicts its arrangements' dates, an arrangement that ends before it starts. They
are blocking, named after the template and column they would misstate, with the page to fix
them on. A register is in scope by its dates (builder.exclusion_reason); these checks say when the
vendor's status tells another story.
"""

from __future__ import annotations

from app.register.roi import codes
from app.register.roi.builder import exclusion_reason
from app.register.roi.cells import contract_link, function_link, vendor_link
from app.register.roi.data import RegisterData
from app.register.roi.validator import BLOCKING, WARNING, Problem


def _in_force(contract, ref_date) -> bool:
    """In force on the reference date itself (not just during the year before it)."""
    started = contract.start_date is None or contract.start_date <= ref_date
    return started and (contract.end_date is None or contract.end_date >= ref_date)


def check_facts(data: RegisterData) -> list[Problem]:
    """Blocking problems of the facts themselves, in arrangement order."""
    problems: list[Problem] = []
    vendors = {v.id: v for v in data.vendors}
    for contract in sorted(data.contracts, key=lambda c: c.reference):
        vendor = vendors.get(contract.vendor_id)
        name = vendor.legal_name if vendor else "an unknown vendor"
        subject = f"arrangement {contract.reference} with {name}"
        start, end = contract.start_date, contract.end_date
        if start and end and end < start:
            problems.append(
                Problem(
                    BLOCKING, "dates", "B_02.02", "c0080", contract.reference, subject,
                    f"{subject} ends on {end.isoformat()}, before it starts on "
                    f"{start.isoformat()}. Correct the “Start date” or “End date” of the "
                    "arrangement.",
                    contract_link(contract),
                )
            )  # fmt: skip
            continue
        if vendor is None or exclusion_reason(contract, data.ref_date):
            continue
        if vendor.status == "prospective" and _in_force(contract, data.ref_date):
            problems.append(
                Problem(
                    BLOCKING, "vendor status", "B_02.01", "c0010", contract.reference, subject,
                    f"{subject} is in force on {data.ref_date.isoformat()} (since "
                    f"{start.isoformat() if start else 'an unknown date'}), so it is reported, "
                    f"but {name} is still marked prospective. Make the vendor active, or "
                    "correct the arrangement's start date.",
                    vendor_link(vendor.id),
                )
            )  # fmt: skip
        if vendor.status == "offboarded" and (end is None or end > data.report_date):
            running = f"until {end.isoformat()}" if end else "with no end date"
            problems.append(
                Problem(
                    BLOCKING, "vendor status", "B_02.02", "c0080", contract.reference, subject,
                    f"{name} is offboarded but {subject} is reported as running {running}. "
                    "Set the “End date” and the “Reason of termination” of the arrangement.",
                    contract_link(contract),
                )
            )  # fmt: skip
    return problems + _after_reference_date(data) + _ai_supply_chain(data) + _group_places(data)


def in_chain(provider, contract) -> bool:
    """The provider is one of the service's subcontractors (by LEI, else by name)."""
    names = {" ".join(s.name.split()).casefold() for s in contract.subcontractors}
    leis = {s.identifier.upper() for s in contract.subcontractors}
    if provider.lei and provider.lei.upper() in leis:
        return True
    return " ".join(provider.name.split()).casefold() in names


def _ai_supply_chain(data: RegisterData) -> list[Problem]:
    """A service supporting a critical function whose AI model provider is not in its supply
    chain: whether the model "effectively underpins" the service is the bank's judgement, so a
    warning with the page to add it on."""
    critical = {f.code for f in data.functions if f.critical == "yes"}
    vendors = {v.id: v for v in data.vendors}
    problems = []
    for contract in sorted(data.contracts, key=lambda c: c.reference):
        if exclusion_reason(contract, data.ref_date):
            continue
        if not (contract.supports_critical_function or contract.function_code in critical):
            continue
        vendor = vendors.get(contract.vendor_id)
        subject = f"arrangement {contract.reference} with {vendor.legal_name if vendor else '?'}"
        for provider in contract.ai_providers:
            if provider.role != "model" or in_chain(provider, contract):
                continue
            problems.append(
                Problem(
                    WARNING, "supply chain", "B_05.02", "c0030", contract.reference, subject,
                    f"{subject} supports a critical or important function and its AI models "
                    f"come from {provider.name}, which is not in its supply chain. Add it as a "
                    "subcontractor if it underpins the service.",
                    contract_link(contract),
                )
            )  # fmt: skip
    return problems


def _after_reference_date(data: RegisterData) -> list[Problem]:
    """A register as at its reference date reports what was known then: an assessment or audit
    dated later is flagged (it belongs to next year's register)."""
    ref = data.ref_date
    problems = []
    for f in sorted(data.functions, key=lambda f: f.code):
        if f.last_assessed and f.last_assessed > ref:
            problems.append(
                Problem(
                    WARNING, "as at", "B_06.01", "c0070", f.code, f"function {f.code} {f.name}",
                    f"The last assessment of function {f.code} {f.name} is dated "
                    f"{f.last_assessed.isoformat()}, after the reference date {ref.isoformat()}. "
                    "Report the assessment in force on the reference date.",
                    function_link(f),
                )
            )  # fmt: skip
    in_scope = {c.vendor_id for c in data.contracts if not exclusion_reason(c, ref)}
    for v in sorted(data.vendors, key=lambda v: v.legal_name):
        if v.id in in_scope and v.last_audit_date and v.last_audit_date > ref:
            problems.append(
                Problem(
                    WARNING, "as at", "B_07.01", "c0070", v.identifier, f"vendor {v.legal_name}",
                    f"The last audit of {v.legal_name} is dated {v.last_audit_date.isoformat()}, "
                    f"after the reference date {ref.isoformat()}. Report the audit before it.",
                    vendor_link(v.id),
                )
            )  # fmt: skip
    return problems


ENTITIES_PAGE = "/register/roi/entities"


def _group_places(data: RegisterData) -> list[Problem]:
    """An entity's hierarchy code that its recorded parent contradicts: a parent recorded as
    "not part of a group" (x21) or as a subsidiary with no parent (B_01.02 c0050 and c0060)."""
    parents = {e.parent_lei for e in data.entities if e.parent_lei and e.parent_lei != e.lei}
    problems = []
    for e in sorted(data.entities, key=lambda e: e.name):
        has_parent = bool(e.parent_lei) and e.parent_lei != e.lei
        if e.hierarchy == "x21" and (has_parent or e.lei in parents):
            why = "has a parent recorded" if has_parent else "is the parent of another entity"
            fix = "subsidiary" if has_parent else "ultimate parent"
        elif e.hierarchy in ("x56", "x551") and not has_parent:
            why, fix = "has no parent recorded", "ultimate parent, or record its parent"
        else:
            continue
        problems.append(
            Problem(
                WARNING, "group", "B_01.02", "c0050", e.lei or "", f"entity {e.name}",
                f"{e.name} is recorded as “{codes.HIERARCHY.get('eba_RP:' + e.hierarchy, e.hierarchy)}” "
                f"but {why}. Set its hierarchy to {fix} on the entities page.",
                ENTITIES_PAGE,
            )
        )  # fmt: skip
    return problems
