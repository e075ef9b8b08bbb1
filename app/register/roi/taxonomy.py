"""Which release of the ESAs' DORA reporting framework a package is written for (pure data).

A release names its xBRL-CSV entry point, the module code of the file name and the template
definitions it expects. 4.0 is the release in force today; when the ESAs publish the next one,
add its `Taxonomy` with its own template definitions (a copy of `spec.TEMPLATES` changed where
the release changes them), so a register filed under 4.0 is re-exported under 4.0.

The package's file name differs by competent authority: `FILE_NAMING` holds the conventions
Assay knows, and an organisation may store its authority's own pattern (`roi_file_naming` in
its settings, set on Settings → Register of Information) with the same placeholders.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date, datetime

from app.errors import InvalidInput
from app.register.roi.spec import TEMPLATES, Template


@dataclass(frozen=True)
class Taxonomy:
    release: str  # "4.0"
    module: str  # the module code of the EBA file naming convention
    entry_point: str  # what reports/report.json extends
    templates: tuple[Template, ...]


TAXONOMIES: dict[str, Taxonomy] = {
    "4.0": Taxonomy(
        release="4.0",
        module="DORA010100",
        entry_point="http://www.eba.europa.eu/eu/fr/xbrl/crr/fws/dora/4.0/mod/dora.json",
        templates=TEMPLATES,
    ),
}
DEFAULT_RELEASE = "4.0"

# Placeholders: {lei} {level} {country} {module} {ref_date} {timestamp}.
FILE_NAMING: dict[str, str] = {
    # EBA reporting convention, as the ESAs' filing rules and most authorities use it.
    "eba": "{lei}.{level}_{country}_{module}_DORA_{ref_date}_{timestamp}",
}
# What the settings page offers for each named convention.
FILE_NAMING_LABELS: dict[str, str] = {
    "eba": "EBA reporting convention (ESAs' filing rules; most authorities)",
}
DEFAULT_NAMING = "eba"
PLACEHOLDERS = ("lei", "level", "country", "module", "ref_date", "timestamp")
# Without these two, packages of different entities or dates would share a name.
REQUIRED_PLACEHOLDERS = ("lei", "ref_date")
PATTERN_TEXT = re.compile(r"[A-Za-z0-9._-]*")  # what may stand between the placeholders
MAX_PATTERN = 150


class TaxonomyError(InvalidInput):
    """An unknown release or file naming: said plainly, before anything is written."""


def taxonomy(release: str | None) -> Taxonomy:
    found = TAXONOMIES.get(release or DEFAULT_RELEASE)
    if found is None:
        known = ", ".join(TAXONOMIES)
        raise TaxonomyError(f"Unknown DORA taxonomy release {release!r}; Assay knows {known}.")
    return found


def pattern_problem(pattern: str) -> str | None:
    """Why an authority's own file name pattern cannot be used (None: it can). The name is a
    single file name: no folders, only letters, digits, `.`, `_`, `-` and the placeholders."""
    shown = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    if not pattern.strip():
        return f"Enter a file name pattern using {shown}."
    if len(pattern) > MAX_PATTERN:
        return f"The pattern is longer than {MAX_PATTERN} characters."
    if "/" in pattern or "\\" in pattern or ".." in pattern:
        return "The pattern names one file, not a folder: leave out “/”, “\\” and “..”."
    if pattern.lower().endswith(".zip"):
        return "Leave out “.zip”: Assay adds it."
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return "Every “{” needs its “}”, around one of " + shown + "."
    used = set()
    for text, name, spec, conversion in parts:
        if PATTERN_TEXT.fullmatch(text) is None:
            bad = "".join(sorted({c for c in text if not PATTERN_TEXT.fullmatch(c)}))
            return f"Only letters, digits, “.”, “_” and “-” may stand between the placeholders, not {bad!r}."
        if name is None:
            continue
        if spec or conversion:
            return f"Write each placeholder plainly, without “!” or “:”; use {shown}."
        if name not in PLACEHOLDERS:
            return f"{{{name}}} is not a placeholder Assay knows; use {shown}."
        used.add(name)
    missing = [p for p in REQUIRED_PLACEHOLDERS if p not in used]
    if missing:
        return (
            "The pattern needs "
            + " and ".join("{" + p + "}" for p in missing)
            + (", so packages of different entities or dates never share a name.")
        )
    if pattern.startswith("."):
        return "The name must not start with “.” (a hidden file)."
    return None


def file_pattern(naming: str | None) -> str:
    """A named convention, or an authority's own pattern using the placeholders."""
    naming = naming or DEFAULT_NAMING
    if naming in FILE_NAMING:
        return FILE_NAMING[naming]
    if "{" not in naming:
        known = ", ".join(FILE_NAMING)
        raise TaxonomyError(
            f"Unknown file naming {naming!r}: use {known}, or a pattern with "
            + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            + "."
        )
    problem = pattern_problem(naming)
    if problem:
        raise TaxonomyError(f"The file name pattern {naming!r} is not valid: {problem}")
    return naming


def file_name(
    naming: str | None,
    *,
    lei: str | None,
    level: str,
    country: str | None,
    module: str,
    ref_date: date,
    generated_at: datetime,
) -> str:
    """The package's file name (with `.zip`) under a convention or an authority's pattern."""
    values = {
        "lei": re.sub(r"[^A-Z0-9]", "", (lei or "").upper()) or "NO-LEI",
        "level": level,
        "country": re.sub(r"[^A-Z]", "", (country or "").upper()) or "XX",
        "module": module,
        "ref_date": ref_date.isoformat(),
        "timestamp": generated_at.strftime("%Y%m%d%H%M%S")
        + f"{generated_at.microsecond // 1000:03d}",
    }
    stem = file_pattern(naming).format(**values)
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem) + ".zip"
