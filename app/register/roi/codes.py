"""EBA codes of the Register of Information's closed lists, and how Assay's stored values map to
them (the database keeps short keys such as `subsequent` or `x796`; the package carries
`eba_CO:x3` or `eba_ZZ:x796`). Pure data.

Source: the ITS 2024/2956 code lists as transcribed in the project's regulatory reference (§3.3).
The DPM codes of the "type of code" lists for national identity and passport numbers (qx2001,
qx2005) are the ones implementations use; they are not yet confirmed against the DPM dictionary.
"""

from __future__ import annotations

from functools import lru_cache

from app.vendors.codes import ICT_SERVICE_TYPES, LICENSED_ACTIVITIES, SUBSTITUTABILITY_REASONS

NOT_APPLICABLE_COUNTRY = "eba_GA:qx2007"  # key columns of B_02.02 that have no value
# A key column with no value of its own (EBA Q&A 2024_7285: keys are never empty).
NOT_APPLICABLE_KEY = "Not Applicable"
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
    f"eba_ZZ:{k}": v for k, v in SUBSTITUTABILITY_REASONS.items()
}
REINTEGRATION: dict[str, str] = {
    "eba_ZZ:x798": "Easy",
    "eba_ZZ:x966": "Difficult",
    "eba_ZZ:x967": "Highly complex",
}
# B_07.01 c0110 takes LIST0601050, the list of B_06.01 c0050 (not a list of its own).
ALTERNATIVES: dict[str, str] = CRITICALITY
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

LICENSED_ACTIVITY_CODES: dict[str, str] = {f"eba_TA:{k}": v for k, v in LICENSED_ACTIVITIES.items()}

# Assay's stored keys → EBA codes.
ARRANGEMENT_TYPE_CODE = {
    "standalone": "eba_CO:x1",
    "overarching": "eba_CO:x2",
    "subsequent": "eba_CO:x3",
}
CRITICALITY_CODE = {"yes": "eba_BT:x28", "no": "eba_BT:x29", "not_assessed": "eba_BT:x21"}
ALTERNATIVES_CODE = CRITICALITY_CODE
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
# Substitutability codes whose reason (B_07.01 c0060) is mandatory.
HARD_TO_SUBSTITUTE = (
    SUBSTITUTABILITY_CODE["not_substitutable"],
    SUBSTITUTABILITY_CODE["highly_complex"],
)
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


@lru_cache(maxsize=4096)  # a register codes the same few countries and lists over and over
def prefixed(prefix: str, value: object) -> str:
    """`eba_GA:DE`, `eba_CU:EUR`, `eba_TA:S19`, `eba_ZZ:x796` … ('' stays '')."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    return text if text.startswith(prefix) else f"{prefix}{text}"
