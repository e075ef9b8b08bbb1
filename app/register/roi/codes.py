"""EBA codes of the Register of Information's closed lists, and how Assay's stored values map to
them (the database keeps short keys such as `subsequent` or `x796`; the package carries
`eba_CO:x3` or `eba_ZZ:x796`). Pure data.

Source: the ITS 2024/2956 code lists as transcribed in the project's regulatory reference (§3.3).
The DPM codes of the "type of code" lists for national identity and passport numbers (qx2001,
qx2005) are the ones implementations use; they are not yet confirmed against the DPM dictionary.
"""

from __future__ import annotations

from app.vendors.codes import ICT_SERVICE_TYPES

NOT_APPLICABLE_COUNTRY = "eba_GA:qx2007"  # key columns of B_02.02 that have no value
OPEN_ENDED = "9999-12-31"  # end date of an arrangement without one

# code → label, per list (the labels are the ITS wording, shortened where long).
ENTITY_TYPES: dict[str, str] = {
    "eba_CT:x12": "Credit institution",
    "eba_CT:x599": "Investment firm",
    "eba_CT:x643": "Central counterparty (CCP)",
    "eba_CT:x639": "Asset management company",
    "eba_CT:x301": "Account information service provider",
    "eba_CT:x302": "Electronic money institution",
    "eba_CT:x303": "Crypto-asset service provider",
    "eba_CT:x304": "Central securities depository",
    "eba_CT:x305": "Trading venue",
    "eba_CT:x306": "Trade repository",
    "eba_CT:x300": "Payment institution",
    "eba_CT:x316": "Other financial entity",
    "eba_CT:x315": "Securitisation repository",
    "eba_CT:x314": "Crowdfunding service provider",
    "eba_CT:x313": "Administrator of critical benchmarks",
    "eba_CT:x312": "Credit rating agency",
    "eba_CT:x311": "Institution for occupational retirement provision",
    "eba_CT:x320": "Insurance, reinsurance or ancillary insurance intermediary",
    "eba_CT:x309": "Insurance or reinsurance undertaking",
    "eba_CT:x308": "Data reporting service provider",
    "eba_CT:x307": "Manager of alternative investment funds",
    "eba_CT:x318": "Non-financial entity: other than ICT intra-group service provider",
    "eba_CT:x317": "Non-financial entity: ICT intra-group service provider",
    "eba_CT:x310": "Issuer of asset-referenced tokens",
}
HIERARCHY: dict[str, str] = {
    "eba_RP:x53": "Ultimate parent",
    "eba_RP:x551": "Parent other than ultimate parent",
    "eba_RP:x56": "Subsidiary",
    "eba_RP:x21": "Entity other than entities of the group",
    "eba_RP:x210": "Outsourcing",
}
ARRANGEMENT_TYPES: dict[str, str] = {
    "eba_CO:x1": "Standalone arrangement",
    "eba_CO:x2": "Overarching arrangement",
    "eba_CO:x3": "Subsequent or associated arrangement",
}
TERMINATION_REASONS: dict[str, str] = {
    "eba_CO:x4": "Not for cause: expired and not renewed",
    "eba_CO:x5": "For cause: provider breach of law, regulation or contract",
    "eba_CO:x6": "For cause: impediments of the provider capable of altering the function",
    "eba_CO:x7": "For cause: provider weaknesses in managing and securing sensitive data",
    "eba_CO:x8": "Requested by the competent authority",
    "eba_CO:x9": "Other reason",
}
YES_NO: dict[str, str] = {"eba_BT:x28": "Yes", "eba_BT:x29": "No"}
DATA_SENSITIVITY: dict[str, str] = {
    "eba_ZZ:x791": "Low",
    "eba_ZZ:x792": "Medium",
    "eba_ZZ:x793": "High",
}
RELIANCE: dict[str, str] = {
    "eba_ZZ:x794": "Not significant",
    "eba_ZZ:x795": "Low reliance",
    "eba_ZZ:x796": "Material reliance",
    "eba_ZZ:x797": "Full reliance",
}
CRITICALITY: dict[str, str] = {
    "eba_BT:x28": "Yes",
    "eba_BT:x29": "No",
    "eba_BT:x21": "Assessment not performed",
}
IMPACT: dict[str, str] = {
    "eba_ZZ:x791": "Low",
    "eba_ZZ:x792": "Medium",
    "eba_ZZ:x793": "High",
    "eba_ZZ:x799": "Assessment not performed",
}
SUBSTITUTABILITY: dict[str, str] = {
    "eba_ZZ:x959": "Not substitutable",
    "eba_ZZ:x960": "Highly complex substitutability",
    "eba_ZZ:x961": "Medium complexity in terms of substitutability",
    "eba_ZZ:x962": "Easily substitutable",
}
NOT_SUBSTITUTABLE_REASONS: dict[str, str] = {
    "eba_ZZ:x963": "Lack of real alternatives",
    "eba_ZZ:x964": "Difficulties in migrating or reintegrating",
    "eba_ZZ:x965": "Lack of real alternatives and difficulties in migrating or reintegrating",
}
REINTEGRATION: dict[str, str] = {
    "eba_ZZ:x798": "Easy",
    "eba_ZZ:x966": "Difficult",
    "eba_ZZ:x967": "Highly complex",
}
ALTERNATIVES: dict[str, str] = {
    "eba_ZZ:x23": "Yes",
    "eba_ZZ:x24": "No",
    "eba_ZZ:x12": "Not applicable",
}
ENTITY_NATURE: dict[str, str] = {
    "eba_ZZ:x838": "Branch of a financial entity",
    "eba_ZZ:x839": "Not a branch",
}
PERSON_TYPES: dict[str, str] = {
    "eba_CT:x212": "Legal person",
    "eba_CT:x213": "Individual acting in a business capacity",
}
CODE_TYPES: dict[str, str] = {
    "eba_qCO:qx2000": "LEI",
    "eba_qCO:qx2002": "EUID",
    "eba_qCO:qx2003": "Corporate registration number",
    "eba_qCO:qx2004": "VAT number",
    "eba_qCO:qx2005": "Passport number",
    "eba_qCO:qx2001": "National identity number",
}
ICT_SERVICES: dict[str, str] = {f"eba_TA:{k}": v for k, v in ICT_SERVICE_TYPES.items()}

# LIST0601020, licensed activity of a function (B_06.01 c0020): stored without the prefix.
LICENSED_ACTIVITIES: dict[str, str] = {
    # Non-life insurance
    "x185": "Non-life insurance: accident and health (classes 1 and 2)",
    "x186": "Non-life insurance: motor (classes 1 fourth indent, 3, 7 and 10)",
    "x187": "Non-life insurance: marine and transport (classes 1 fourth indent, 4, 6, 7, 12)",
    "x188": "Non-life insurance: aviation (classes 1 fourth indent, 5, 7 and 11)",
    "x189": "Non-life insurance: fire and other damage to property (classes 8 and 9)",
    "x190": "Non-life insurance: liability (classes 10, 11, 12 and 13)",
    "x191": "Non-life insurance: credit and suretyship (classes 14 and 15)",
    "x192": "Non-life insurance: all classes, at the choice of the Member State",
    # Life insurance
    "x193": "Life insurance: Art. 2(3)(a)(i)-(iii), excluding II and III",
    "x194": "Life insurance: marriage assurance, birth assurance",
    "x195": "Life insurance: Art. 2(3)(a)(i) and (ii) linked to investment funds",
    "x196": "Life insurance: permanent health insurance, Art. 2(3)(a)(iv)",
    "x197": "Life insurance: tontines, Art. 2(3)(b)(i)",
    "x198": "Life insurance: capital redemption operations, Art. 2(3)(b)(ii)",
    "x199": "Life insurance: management of group pension funds, Art. 2(3)(b)(iii) and (iv)",
    "x200": "Life insurance: operations referred to in Art. 2(3)(b)(v)",
    "x201": "Life insurance: operations referred to in Art. 2(3)(c)",
    # Banking and credit
    "x162": "Taking deposits and other repayable funds",
    "x163": "Lending activities",
    "x164": "Financial leasing",
    "x165": "Issuing and administering other means of payment",
    "x166": "Guarantees and commitments",
    "x167": "Guarantees and commitments related to securities lending and borrowing",
    "x168": "Trading for own account or for account of customers",
    "x169": "Participation in securities issues and related services",
    "x143": "Granting credits or loans to investors",
    # Payment services
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
    # Investment services
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
    # Safekeeping and administration
    "x174": "Safekeeping and administration of securities",
    "x175": "Safekeeping and administration of financial instruments for clients",
    "x176": "Safekeeping and administration of units of collective investment undertakings",
    "x177": "Non-core services: safekeeping of units of collective investment undertakings",
    "x178": "Safe custody services",
    # Crypto-assets
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
    # Asset management and funds
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
    # Insurance distribution
    "x202": "Insurance distribution",
    "x203": "Reinsurance distribution",
    # CSD and settlement
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
    # Other activities
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
}
LICENSED_ACTIVITY_CODES: dict[str, str] = {f"eba_TA:{k}": v for k, v in LICENSED_ACTIVITIES.items()}

# Assay's stored keys → EBA codes.
ARRANGEMENT_TYPE_CODE = {
    "standalone": "eba_CO:x1",
    "overarching": "eba_CO:x2",
    "subsequent": "eba_CO:x3",
}
CRITICALITY_CODE = {"yes": "eba_BT:x28", "no": "eba_BT:x29", "not_assessed": "eba_BT:x21"}
IMPACT_CODE = {
    "low": "eba_ZZ:x791",
    "medium": "eba_ZZ:x792",
    "high": "eba_ZZ:x793",
    "not_assessed": "eba_ZZ:x799",
}
SENSITIVITY_CODE = {"low": "eba_ZZ:x791", "medium": "eba_ZZ:x792", "high": "eba_ZZ:x793"}
SUBSTITUTABILITY_CODE = {
    "not_substitutable": "eba_ZZ:x959",
    "highly_complex": "eba_ZZ:x960",
    "medium": "eba_ZZ:x961",
    "easy": "eba_ZZ:x962",
}
REINTEGRATION_CODE = {
    "easy": "eba_ZZ:x798",
    "difficult": "eba_ZZ:x966",
    "highly_complex": "eba_ZZ:x967",
}
PERSON_TYPE_CODE = {"legal": "eba_CT:x212", "individual": "eba_CT:x213"}
CODE_TYPE_CODE = {
    "LEI": "eba_qCO:qx2000",
    "EUID": "eba_qCO:qx2002",
    "CRN": "eba_qCO:qx2003",
    "VAT": "eba_qCO:qx2004",
    "PNR": "eba_qCO:qx2005",
    "NIN": "eba_qCO:qx2001",
}
LEI_CODE_TYPE = CODE_TYPE_CODE["LEI"]


def coded(mapping: dict[str, str], value: object) -> str:
    """The EBA code of a stored key; an unknown key keeps its text (the validator reports it)."""
    if value is None or value == "":
        return ""
    return mapping.get(str(value), str(value))


def prefixed(prefix: str, value: object) -> str:
    """`eba_GA:DE`, `eba_CU:EUR`, `eba_TA:S19`, `eba_ZZ:x796` … ('' stays '')."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    return text if text.startswith(prefix) else f"{prefix}{text}"
