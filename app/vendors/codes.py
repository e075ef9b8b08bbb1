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

# RoI LIST0701060 (B_07.01 c0060): why a provider is not, or hardly, substitutable.
SUBSTITUTABILITY_REASONS: dict[str, str] = {
    "x963": "Lack of real alternatives",
    "x964": "Difficulties in migrating or reintegrating",
    "x965": "Lack of real alternatives and difficulties in migrating or reintegrating",
}
NEEDS_SUBSTITUTABILITY_REASON = ("not_substitutable", "highly_complex")

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


def label(codes: dict[str, str], value: object) -> str:
    """The label of a code, or the raw value when it is not (or no longer) in the list."""
    if value is None or value == "":
        return ""
    return codes.get(str(value), str(value))
