"""Closed lists of the DORA Register of Information (ITS 2024/2956) with the labels users see.

Values stored in the database are the short keys on the left; the register export maps them to
EBA codes. Pure data: no database, no HTTP.
"""

from __future__ import annotations

ICT_SERVICE_TYPES: dict[str, str] = {
    "S01": "ICT project management",
    "S02": "ICT development",
    "S03": "ICT help desk and first level support",
    "S04": "ICT security management services",
    "S05": "Provision of data",
    "S06": "Data analysis",
    "S07": "ICT, facilities and hosting services (excluding cloud services)",
    "S08": "Computation",
    "S09": "Non-cloud data storage",
    "S10": "Telecom carrier",
    "S11": "Network infrastructure",
    "S12": "Hardware and physical devices",
    "S13": "Software licencing (excluding SaaS)",
    "S14": "ICT operation management (including maintenance)",
    "S15": "ICT consulting",
    "S16": "ICT risk management",
    "S17": "Cloud services: IaaS",
    "S18": "Cloud services: PaaS",
    "S19": "Cloud services: SaaS",
}

IDENTIFIER_TYPES: dict[str, str] = {
    "LEI": "LEI (legal entity identifier)",
    "EUID": "EUID (European unique identifier)",
    "CRN": "Corporate registration number",
    "VAT": "VAT number",
    "PNR": "Passport number",
    "NIN": "National identity number",
}

PERSON_TYPES: dict[str, str] = {
    "legal": "Legal person",
    "individual": "Individual acting in a business capacity",
}

VENDOR_STATUSES: dict[str, str] = {
    "prospective": "Prospective",
    "active": "Active",
    "offboarded": "Offboarded",
}

RISK_TIERS: dict[str, str] = {
    "critical": "Critical",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}

DATA_SENSITIVITY: dict[str, str] = {
    "none": "None",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
}

CONTRACT_DATA_SENSITIVITY: dict[str, str] = {"low": "Low", "medium": "Medium", "high": "High"}

SUBSTITUTABILITY: dict[str, str] = {
    "easy": "Easily substitutable",
    "medium": "Medium complexity",
    "highly_complex": "Highly complex substitutability",
    "not_substitutable": "Not substitutable",
}

AI_ROLES: dict[str, str] = {
    "provider": "Provider (develops the AI system)",
    "deployer": "Deployer (uses AI systems of others)",
    "both": "Provider and deployer",
    "none": "No AI in the service",
}

AI_ACT_CLASSES: dict[str, str] = {
    "prohibited": "Prohibited practice",
    "high": "High risk",
    "limited": "Limited risk (transparency)",
    "minimal": "Minimal risk",
    "unknown": "Not yet classified",
}

REINTEGRATION: dict[str, str] = {
    "easy": "Easy",
    "difficult": "Difficult",
    "highly_complex": "Highly complex",
}

ARRANGEMENT_TYPES: dict[str, str] = {
    "standalone": "Standalone arrangement",
    "overarching": "Overarching arrangement",
    "subsequent": "Subsequent or associated arrangement",
}

TERMINATION_REASONS: dict[str, str] = {
    "x4": "Not for cause: expired and not renewed",
    "x5": "For cause: provider breach of law, regulation or contract",
    "x6": "For cause: impediments of the provider capable of altering the function",
    "x7": "For cause: provider weaknesses in managing and securing sensitive data",
    "x8": "Requested by the competent authority",
    "x9": "Other reason",
}

RELIANCE_LEVELS: dict[str, str] = {
    "x794": "Not significant",
    "x795": "Low reliance",
    "x796": "Material reliance",
    "x797": "Full reliance",
}

FUNCTION_CRITICALITY: dict[str, str] = {
    "yes": "Critical or important",
    "no": "Not critical or important",
    "not_assessed": "Assessment not performed",
}

DISCONTINUATION_IMPACT: dict[str, str] = {
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "not_assessed": "Assessment not performed",
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


def label(codes: dict[str, str], value: object) -> str:
    """The label of a code, or the raw value when it is not (or no longer) in the list."""
    if value is None or value == "":
        return ""
    return codes.get(str(value), str(value))
