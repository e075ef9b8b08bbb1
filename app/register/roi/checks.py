"""What the register's facts contradict before any table is built (pure).

The validator reads the tables as a supervisor would; some faults cannot be seen there: a vendor
status that contradicts its arrangements' dates, an arrangement that ends before it starts. They
are blocking, named after the template and column they would misstate, with the page to fix
them on. A register is in scope by its dates (builder.exclusion_reason); these checks say when the
vendor's status tells another story.
"""

from __future__ import annotations

from app.register.roi.builder import contract_link, exclusion_reason, vendor_link
from app.register.roi.data import RegisterData
from app.register.roi.validator import BLOCKING, Problem


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
    return problems
