"""The labels users see for each closed list of the register (DORA ITS 2024/2956).

Each vocabulary is its enum in `app.models` (the values stored in the database); here are its
labels, keyed by that enum, for forms, pages and the import template. The register export maps
the values to EBA codes. Licensed activities and currencies are long reference lists kept here
as data. Pure data: no database, no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.models import (
    ANNEX_III_LABELS,
    AIActClass,
    AIRole,
    AlternativesIdentified,
    ArrangementType,
    DataSensitivity,
    DiscontinuationImpact,
    FunctionCriticality,
    ICTServiceType,
    IdentifierType,
    PersonType,
    Reintegration,
    RelianceLevel,
    RiskTier,
    Substitutability,
    SubstitutabilityReason,
    TerminationReason,
    VendorStatus,
)

ICT_SERVICE_TYPES: dict[ICTServiceType, str] = {
    ICTServiceType.S01: "ICT project management",
    ICTServiceType.S02: "ICT development",
    ICTServiceType.S03: "ICT help desk and first level support",
    ICTServiceType.S04: "ICT security management services",
    ICTServiceType.S05: "Provision of data",
    ICTServiceType.S06: "Data analysis",
    ICTServiceType.S07: "ICT, facilities and hosting services (excluding cloud services)",
    ICTServiceType.S08: "Computation",
    ICTServiceType.S09: "Non-cloud data storage",
    ICTServiceType.S10: "Telecom carrier",
    ICTServiceType.S11: "Network infrastructure",
    ICTServiceType.S12: "Hardware and physical devices",
    ICTServiceType.S13: "Software licencing (excluding SaaS)",
    ICTServiceType.S14: "ICT operation management (including maintenance)",
    ICTServiceType.S15: "ICT consulting",
    ICTServiceType.S16: "ICT risk management",
    ICTServiceType.S17: "Cloud services: IaaS",
    ICTServiceType.S18: "Cloud services: PaaS",
    ICTServiceType.S19: "Cloud services: SaaS",
}

IDENTIFIER_TYPES: dict[IdentifierType, str] = {
    IdentifierType.LEI: "LEI (legal entity identifier)",
    IdentifierType.EUID: "EUID (European unique identifier)",
    IdentifierType.CRN: "Corporate registration number",
    IdentifierType.VAT: "VAT number",
    IdentifierType.PNR: "Passport number",
    IdentifierType.NIN: "National identity number",
}

PERSON_TYPES: dict[PersonType, str] = {
    PersonType.legal: "Legal person",
    PersonType.individual: "Individual acting in a business capacity",
}

VENDOR_STATUSES: dict[VendorStatus, str] = {
    VendorStatus.prospective: "Prospective",
    VendorStatus.active: "Active",
    VendorStatus.offboarded: "Offboarded",
}

# The vendor list's filter on `supports_critical_function` (the query string says yes or no).
CRITICAL_FUNCTION_FILTER: dict[str, str] = {
    "yes": "Supports a critical function",
    "no": "No critical function",
}

RISK_TIERS: dict[RiskTier, str] = {
    RiskTier.critical: "Critical",
    RiskTier.high: "High",
    RiskTier.medium: "Medium",
    RiskTier.low: "Low",
}

DATA_SENSITIVITY: dict[DataSensitivity, str] = {
    DataSensitivity.none: "None",
    DataSensitivity.low: "Low",
    DataSensitivity.medium: "Medium",
    DataSensitivity.high: "High",
}

# An arrangement's data is at least low: "none" is for a vendor that touches no data at all.
CONTRACT_DATA_SENSITIVITY: dict[DataSensitivity, str] = {
    level: text for level, text in DATA_SENSITIVITY.items() if level != DataSensitivity.none
}

SUBSTITUTABILITY: dict[Substitutability, str] = {
    Substitutability.easy: "Easily substitutable",
    Substitutability.medium: "Medium complexity",
    Substitutability.highly_complex: "Highly complex substitutability",
    Substitutability.not_substitutable: "Not substitutable",
}

# RoI LIST0701060 (B_07.01 c0060): why a provider is not, or hardly, substitutable.
SUBSTITUTABILITY_REASONS: dict[SubstitutabilityReason, str] = {
    SubstitutabilityReason.no_alternatives: "Lack of real alternatives",
    SubstitutabilityReason.hard_to_migrate: "Difficulties in migrating or reintegrating",
    SubstitutabilityReason.both: "Lack of real alternatives and difficulties in migrating or reintegrating",
}
NEEDS_SUBSTITUTABILITY_REASON = (
    Substitutability.not_substitutable,
    Substitutability.highly_complex,
)

AI_ROLES: dict[AIRole, str] = {
    AIRole.provider: "Provider (develops the AI system)",
    AIRole.deployer: "Deployer (uses AI systems of others)",
    AIRole.both: "Provider and deployer",
    AIRole.none: "No AI in the service",
}

AI_ACT_CLASSES: dict[AIActClass, str] = {
    AIActClass.prohibited: "Prohibited practice",
    AIActClass.high: "High risk",
    AIActClass.limited: "Limited risk (transparency)",
    AIActClass.minimal: "Minimal risk",
    AIActClass.unknown: "Not yet classified",
}

# The buyer's own role for an AI system it uses through a vendor (Art. 3; Art. 25 when the bank
# rebrands or substantially modifies the system it becomes its provider).
BUYER_AI_ROLES: dict[AIRole, str] = {
    AIRole.deployer: "Deployer (we use the system under our authority)",
    AIRole.provider: "Provider (we put it into service under our name, Art. 25)",
    AIRole.both: "Provider and deployer",
    AIRole.none: "None (the system does not act for us)",
}

# Annex III uses the buyer can record against an AI system (codes name the Annex III point).
ANNEX_III_USES: dict[str, str] = {str(k): v for k, v in ANNEX_III_LABELS.items()}

REINTEGRATION: dict[Reintegration, str] = {
    Reintegration.easy: "Easy",
    Reintegration.difficult: "Difficult",
    Reintegration.highly_complex: "Highly complex",
}

ARRANGEMENT_TYPES: dict[ArrangementType, str] = {
    ArrangementType.standalone: "Standalone arrangement",
    ArrangementType.overarching: "Overarching arrangement",
    ArrangementType.subsequent: "Subsequent or associated arrangement",
}

TERMINATION_REASONS: dict[TerminationReason, str] = {
    TerminationReason.expired: "Not for cause: expired and not renewed",
    TerminationReason.provider_breach: "For cause: provider breach of law, regulation or contract",
    TerminationReason.provider_impediment: "For cause: impediments of the provider capable of altering the function",
    TerminationReason.data_security_weakness: "For cause: provider weaknesses in managing and securing sensitive data",
    TerminationReason.authority_request: "Requested by the competent authority",
    TerminationReason.other: "Other reason",
}

RELIANCE_LEVELS: dict[RelianceLevel, str] = {
    RelianceLevel.not_significant: "Not significant",
    RelianceLevel.low: "Low reliance",
    RelianceLevel.material: "Material reliance",
    RelianceLevel.full: "Full reliance",
}

FUNCTION_CRITICALITY: dict[FunctionCriticality, str] = {
    FunctionCriticality.yes: "Critical or important",
    FunctionCriticality.no: "Not critical or important",
    FunctionCriticality.not_assessed: "Assessment not performed",
}

# RoI LIST0601050 for B_07.01 c0110: "not assessed" is an answer of its own, never "no".
ALTERNATIVES_IDENTIFIED: dict[AlternativesIdentified, str] = {
    AlternativesIdentified.yes: "Yes, alternatives identified",
    AlternativesIdentified.no: "No alternative identified",
    AlternativesIdentified.not_assessed: "Assessment not performed",
}

DISCONTINUATION_IMPACT: dict[DiscontinuationImpact, str] = {
    DiscontinuationImpact.low: "Low",
    DiscontinuationImpact.medium: "Medium",
    DiscontinuationImpact.high: "High",
    DiscontinuationImpact.not_assessed: "Assessment not performed",
}

# RoI LIST0601020 (B_06.01 c0020): the licensed activity a business function serves, grouped
# as the form shows them. Stored without the `eba_TA:` prefix the register export adds.
LICENSED_ACTIVITY_GROUPS: dict[str, dict[str, str]] = {
    "Non-life insurance": {
        "x185": "Non-life insurance: accident and health (classes 1 and 2)",
        "x186": "Non-life insurance: motor (classes 1 fourth indent, 3, 7 and 10)",
        "x187": "Non-life insurance: marine and transport (classes 1 fourth indent, 4, 6, 7, 12)",
        "x188": "Non-life insurance: aviation (classes 1 fourth indent, 5, 7 and 11)",
        "x189": "Non-life insurance: fire and other damage to property (classes 8 and 9)",
        "x190": "Non-life insurance: liability (classes 10, 11, 12 and 13)",
        "x191": "Non-life insurance: credit and suretyship (classes 14 and 15)",
        "x192": "Non-life insurance: all classes, at the choice of the Member State",
    },
    "Life insurance": {
        "x193": "Life insurance: Art. 2(3)(a)(i)-(iii), excluding II and III",
        "x194": "Life insurance: marriage assurance, birth assurance",
        "x195": "Life insurance: Art. 2(3)(a)(i) and (ii) linked to investment funds",
        "x196": "Life insurance: permanent health insurance, Art. 2(3)(a)(iv)",
        "x197": "Life insurance: tontines, Art. 2(3)(b)(i)",
        "x198": "Life insurance: capital redemption operations, Art. 2(3)(b)(ii)",
        "x199": "Life insurance: management of group pension funds, Art. 2(3)(b)(iii) and (iv)",
        "x200": "Life insurance: operations referred to in Art. 2(3)(b)(v)",
        "x201": "Life insurance: operations referred to in Art. 2(3)(c)",
    },
    "Banking and credit": {
        "x162": "Taking deposits and other repayable funds",
        "x163": "Lending activities",
        "x164": "Financial leasing",
        "x165": "Issuing and administering other means of payment",
        "x166": "Guarantees and commitments",
        "x167": "Guarantees and commitments related to securities lending and borrowing",
        "x168": "Trading for own account or for account of customers",
        "x169": "Participation in securities issues and related services",
        "x143": "Granting credits or loans to investors",
    },
    "Payment services": {
        "x28": "Payment services",
        "x180": "Issuing electronic money",
        "x220": "Placing cash on a payment account and operating it",
        "x221": "Cash withdrawals from a payment account and operating it",
        "x222": "Execution of payment transactions, including transfers of funds",
        "x223": "Execution of payment transactions covered by a credit line",
        "x224": "Issuing of payment instruments and/or acquiring of payment transactions",
        "x225": "Money remittance",
        "x226": "Payment initiation services",
        "x227": "Account information services",
    },
    "Investment services": {
        "x133": "Reception and transmission of orders",
        "x134": "Execution of orders on behalf of clients",
        "x136": "Portfolio management",
        "x137": "Investment advice",
        "x138": "Underwriting or placing of financial instruments on a firm commitment basis",
        "x139": "Placing of financial instruments without a firm commitment basis",
        "x140": "Operation of an MTF",
        "x141": "Operation of an OTF",
        "x144": "Advice to undertakings on capital structure, strategy, mergers and acquisitions",
        "x146": "Investment research and financial analysis",
        "x147": "Services related to underwriting",
        "x170": "Advisory services",
        "x171": "Money broking",
        "x172": "Portfolio management and advice",
        "x173": "Dealing on own account",
        "x204": "Investment services related to the underlying of the derivatives",
        "x230": "Operation of a regulated market",
        "x274": "Investment advice on instruments of Annex I, Section C, Directive 2004/39/EC",
    },
    "Safekeeping and administration": {
        "x174": "Safekeeping and administration of securities",
        "x175": "Safekeeping and administration of financial instruments for clients",
        "x176": "Safekeeping and administration of units of collective investment undertakings",
        "x177": "Non-core services: safekeeping of units of collective investment undertakings",
        "x178": "Safe custody services",
    },
    "Crypto-assets": {
        "x181": "Reception and transmission of orders for crypto-assets",
        "x182": "Portfolio management on crypto-assets",
        "x228": "Custody and administration of crypto-assets on behalf of clients",
        "x229": "Operation of a trading platform for crypto-assets",
        "x231": "Exchange of crypto-assets for funds",
        "x232": "Exchange of crypto-assets for other crypto-assets",
        "x233": "Execution of orders for crypto-assets on behalf of clients",
        "x234": "Placing of crypto-assets",
        "x235": "Providing advice on crypto-assets",
        "x236": "Providing transfer services for crypto-assets on behalf of clients",
        "x237": "Issuance of asset-referenced tokens",
    },
    "Asset management and funds": {
        "x183": "Management of portfolios of investments (AIFMD)",
        "x184": "Management of portfolios of investments (UCITSD)",
        "x265": "Maintenance of unit-/shareholder register",
        "x266": "Unit/shares issues and redemptions",
        "x267": "Maintenance of unit-holder register",
        "x268": "Unit issues and redemptions",
        "x269": "Contract settlements (including certificate dispatch)",
        "x270": "Distribution of income",
        "x271": "Record keeping",
        "x272": "Marketing",
        "x273": "Services necessary to meet the fiduciary duties of the AIFM",
        "x275": "Ancillary services",
    },
    "Insurance distribution": {
        "x202": "Insurance distribution",
        "x203": "Reinsurance distribution",
    },
    "CSD and settlement": {
        "x238": "Notary service",
        "x239": "Central maintenance service",
        "x240": "Settlement service",
        "x241": "Organising a securities lending mechanism among settlement participants",
        "x242": "Collateral management services",
        "x243": "General collateral management services",
        "x244": "Establishing CSD links and operating securities accounts",
        "x245": "Settlement matching, instruction routing, trade confirmation and verification",
        "x246": "Services related to shareholders' registers",
        "x247": "Supporting the processing of corporate actions",
        "x248": "New issue services, including allocation and management of ISIN codes",
        "x249": "Instruction routing and processing, fee collection and related reporting",
        "x253": "Cash accounts for and deposits from settlement participants",
        "x254": "Cash credit, pre-financing of corporate actions and securities lending",
        "x255": "Payment services processing cash and foreign exchange transactions",
        "x256": "Treasury activities on participants' long balances",
        "x257": "Other NCA-permitted non-banking-type ancillary services (CSDR Section B)",
        "x258": "Other NCA-permitted banking-type ancillary services (CSDR Section C)",
    },
    "Other activities": {
        "x104": "Foreign exchange services",
        "x179": "Credit reference services",
        "x205": "Retirement-benefit related operations and activities",
        "x206": "Issuance of credit ratings",
        "x207": "Administering the arrangements for determining a benchmark",
        "x208": "Collecting, analysing or processing input data for a benchmark",
        "x209": "Determining a benchmark",
        "x210": "Publication of benchmark",
        "x211": "Provision of crowdfunding services",
        "x212": "Ancillary non-securitisation services",
        "x213": "Ancillary securitisation services",
        "x214": "Collection and maintenance of the records of derivatives (non-SFTs)",
        "x215": "Collection and maintenance of the records of SFTs",
        "x216": "Collection and maintenance of the records of securitisations",
        "x217": "Activity as approved publication arrangement",
        "x218": "Activity as consolidated tape provider",
        "x219": "Activity as approved reporting mechanism",
        "x250": "Providing regulatory reporting",
        "x251": "Providing information, data and statistics to public bodies",
        "x252": "Providing IT services",
        "x259": "Interposition between counterparties",
        "x260": "Risk management",
        "x261": "Legal and fund management accounting services",
        "x262": "Customer inquiries",
        "x263": "Valuation and pricing, including tax returns",
        "x264": "Regulatory compliance monitoring",
    },
}
LICENSED_ACTIVITIES: dict[str, str] = {
    code: label for group in LICENSED_ACTIVITY_GROUPS.values() for code, label in group.items()
}

# ISO 4217: the currencies a European buyer reports in; extend when a customer needs another.
CURRENCIES: dict[str, str] = {
    "EUR": "Euro",
    "USD": "US dollar",
    "GBP": "Pound sterling",
    "CHF": "Swiss franc",
    "SEK": "Swedish krona",
    "NOK": "Norwegian krone",
    "DKK": "Danish krone",
    "ISK": "Icelandic króna",
    "PLN": "Polish złoty",
    "CZK": "Czech koruna",
    "HUF": "Hungarian forint",
    "RON": "Romanian leu",
    "BGN": "Bulgarian lev",
    "JPY": "Japanese yen",
    "CAD": "Canadian dollar",
    "AUD": "Australian dollar",
    "SGD": "Singapore dollar",
}


def label(codes: Mapping[Any, str], value: object) -> str:
    """The label of a code, or the raw value when it is not (or no longer) in the list."""
    if value is None or value == "":
        return ""
    return codes.get(str(value), str(value))


def spelled(values: Iterable[object]) -> str:
    """Stored values as a sentence lists them, "prospective, active or offboarded": help texts
    name the values from the list itself, so they cannot fall behind it."""
    words = [str(value) for value in values]
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
