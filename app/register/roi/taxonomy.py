"""Which release of the ESAs' DORA reporting framework a package is written for (pure data).

A release names its xBRL-CSV entry point, the module code of the file name and the template
definitions it expects. 4.0 is the release in force today; when the ESAs publish the next one,
add its `Taxonomy` with its own template definitions (a copy of `spec.TEMPLATES` changed where
the release changes them), so a register filed under 4.0 is re-exported under 4.0.

The package's file name differs by competent authority: `FILE_NAMING` holds the conventions
Assay knows, and an organisation may store its authority's own pattern (`roi_file_name` in
its settings) with the same placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

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
DEFAULT_NAMING = "eba"
PLACEHOLDERS = ("lei", "level", "country", "module", "ref_date", "timestamp")


class TaxonomyError(InvalidInput):
    """An unknown release or file naming: said plainly, before anything is written."""


def taxonomy(release: str | None) -> Taxonomy:
    found = TAXONOMIES.get(release or DEFAULT_RELEASE)
    if found is None:
        known = ", ".join(TAXONOMIES)
        raise TaxonomyError(f"Unknown DORA taxonomy release {release!r}; Assay knows {known}.")
    return found


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
    try:
        naming.format(**{p: "x" for p in PLACEHOLDERS})
    except (KeyError, IndexError, ValueError) as exc:
        raise TaxonomyError(f"The file name pattern {naming!r} is not valid: {exc}.") from None
    return naming
