"""The DORA Art. 30 contract clause checklist: which clauses every ICT contract must contain
(Art. 30(2)) and which only contracts supporting a critical or important function (Art. 30(3)).

Clauses are legal minima of the signed contract, so they are judged yes / partly / no per
contract, never averaged with operational maturity (docs/scoring.md, rule 10).
"""

from __future__ import annotations

from dataclasses import dataclass

CLAUSE_STATUSES = ("yes", "partly", "no")
STATUS_LABELS = {"yes": "In the signed contract", "partly": "Partly", "no": "Not in the contract"}


@dataclass(frozen=True, slots=True)
class Clause:
    code: str  # the control id the model and findings use: "Art. 30(3)(c)"
    title: str  # short, in our own words
    text: str  # what the contract has to say, in our own words
    cif_only: bool  # Art. 30(3): only contracts supporting a critical or important function
    question_key: str  # the questionnaire's contract question asking the vendor the same


CLAUSES: tuple[Clause, ...] = (
    Clause(
        "Art. 30(2)(a)",
        "Services described; subcontracting conditions",
        "Describes every function and ICT service provided, and says whether services "
        "supporting a critical or important function may be subcontracted and on what terms.",
        False,
        "contract.service_description",
    ),
    Clause(
        "Art. 30(2)(b)",
        "Locations and notice of changes",
        "Names the regions or countries where the service runs and where data is processed and "
        "stored, and obliges the provider to warn us before moving them.",
        False,
        "contract.locations",
    ),
    Clause(
        "Art. 30(2)(c)",
        "Data protection",
        "Covers availability, authenticity, integrity and confidentiality of our data, personal "
        "data included.",
        False,
        "contract.data_protection",
    ),
    Clause(
        "Art. 30(2)(d)",
        "Access to and return of data",
        "Guarantees access to, recovery and return of our data in a usable format on insolvency, "
        "resolution, discontinuation or termination.",
        False,
        "contract.data_return",
    ),
    Clause(
        "Art. 30(2)(e)",
        "Service level descriptions",
        "Describes the service levels, including how they are updated and revised.",
        False,
        "contract.service_levels",
    ),
    Clause(
        "Art. 30(2)(f)",
        "Help with ICT incidents",
        "Obliges the provider to help us with ICT incidents involving the service, free or at a "
        "cost agreed in advance.",
        False,
        "contract.incident_assistance",
    ),
    Clause(
        "Art. 30(2)(g)",
        "Cooperation with authorities",
        "Obliges the provider to cooperate fully with our supervisors and resolution "
        "authorities and the people they appoint.",
        False,
        "contract.authority_cooperation",
    ),
    Clause(
        "Art. 30(2)(h)",
        "Termination rights and notice",
        "Gives termination rights and minimum notice periods that meet supervisory expectations.",
        False,
        "contract.termination",
    ),
    Clause(
        "Art. 30(2)(i)",
        "Resilience training",
        "Sets the terms on which the provider joins our ICT security awareness and operational "
        "resilience training.",
        False,
        "contract.training",
    ),
    Clause(
        "Art. 30(3)(a)",
        "Full service levels with targets",
        "Full service level agreements with precise quantitative and qualitative targets we can "
        "monitor and act on.",
        True,
        "contract.full_sla",
    ),
    Clause(
        "Art. 30(3)(b)",
        "Notice and reporting duties",
        "Notice periods and reporting duties, including warning us of anything that could "
        "materially affect delivery of the service at the agreed levels.",
        True,
        "contract.notice_and_reporting",
    ),
    Clause(
        "Art. 30(3)(c)",
        "Contingency plans and security measures",
        "Requires the provider to put in place and test business contingency plans and to keep "
        "appropriate ICT security measures, tools and policies.",
        True,
        "contract.contingency_and_security",
    ),
    Clause(
        "Art. 30(3)(d)",
        "Threat-led penetration testing",
        "Obliges the provider to take part and cooperate fully in our threat-led penetration "
        "testing.",
        True,
        "contract.tlpt",
    ),
    Clause(
        "Art. 30(3)(e)",
        "Monitoring, access and audit rights",
        "Unrestricted access, inspection and audit rights for us, our appointees and our "
        "supervisors, with full cooperation and a defined scope, procedure and frequency.",
        True,
        "contract.audit_rights",
    ),
    Clause(
        "Art. 30(3)(f)",
        "Exit and transition period",
        "An exit strategy with a mandatory, adequate transition period in which the service "
        "continues while we move to another provider or in-house.",
        True,
        "contract.exit_transition",
    ),
)
CLAUSE_BY_CODE = {clause.code: clause for clause in CLAUSES}
CLAUSE_CODES = tuple(CLAUSE_BY_CODE)


def applicable_clauses(supports_critical_function: bool) -> tuple[Clause, ...]:
    """Art. 30(2) for every ICT contract; Art. 30(3) only where it supports a critical or
    important function."""
    return tuple(c for c in CLAUSES if supports_critical_function or not c.cif_only)


def status_from_level(level: int | None) -> str | None:
    """A contract question's claimed level as a clause status: 3 and above means the clause is
    there (standard terms or agreed on request), 1–2 partly, 0 no; None when unanswered."""
    if level is None:
        return None
    if level >= 3:
        return "yes"
    return "partly" if level >= 1 else "no"
