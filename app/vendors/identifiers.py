"""Identifier checks used wherever register data is typed or imported (pure functions)."""

from __future__ import annotations

import re
import string

LEI_PATTERN = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")

# ISO 3166-1 alpha-2, officially assigned codes.
COUNTRY_CODES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW""".split()
)

EEA_COUNTRY_CODES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)


# ISO 7064 MOD 97-10 reads a letter as the two digits of its number (A = 10 … Z = 35)
_LETTERS_AS_DIGITS = str.maketrans(
    {letter: str(int(letter, 36)) for letter in string.ascii_letters}
)


def _lei_number(body: str) -> int:
    return int(body.translate(_LETTERS_AS_DIGITS))


def lei_is_valid(value: str) -> bool:
    """ISO 17442: 20 characters, the last two check digits satisfy ISO 7064 MOD 97-10."""
    value = value.strip().upper()
    return bool(LEI_PATTERN.match(value)) and _lei_number(value) % 97 == 1


def lei_problem(value: str) -> str | None:
    value = value.strip().upper()
    if not LEI_PATTERN.match(value):
        return "An LEI is 18 letters or digits followed by 2 check digits (20 characters)."
    if _lei_number(value) % 97 != 1:
        return "The LEI's check digits do not match: check for a typing error."
    return None


def lei_with_check_digits(prefix18: str) -> str:
    """Complete an 18-character LEI prefix with its check digits (demo data, tests)."""
    prefix18 = prefix18.upper()
    check = 98 - (_lei_number(prefix18 + "00") % 97)
    return f"{prefix18}{check:02d}"


def country_problem(value: str) -> str | None:
    if value.strip().upper() not in COUNTRY_CODES:
        return f"{value!r} is not an ISO 3166 two-letter country code."
    return None
