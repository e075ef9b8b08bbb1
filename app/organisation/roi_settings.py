"""The Register of Information settings (admins): which release of the ESAs' DORA taxonomy the
package is written for, and the file name the competent authority expects.

Both are stored in the organisation's settings JSON (`roi_taxonomy`, `roi_file_naming`), where
the register export reads them; a named convention is stored by its name, an authority's own
pattern as the pattern itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from app.audit.service import audit_diff, record
from app.auth.service import refusal
from app.models import Organisation, User
from app.organisation.schemas import RoiSettings
from app.organisation.service import get_organisation
from app.register.roi.taxonomy import (
    DEFAULT_NAMING,
    DEFAULT_RELEASE,
    FILE_NAMING,
    FILE_NAMING_LABELS,
    TAXONOMIES,
    file_name,
    pattern_problem,
)

CUSTOM = "custom"


def release_options() -> dict[str, str]:
    """The releases Assay has template definitions for, newest last."""
    return {r: f"{r} (module {t.module})" for r, t in TAXONOMIES.items()}


def naming_options() -> dict[str, str]:
    return {**FILE_NAMING_LABELS, CUSTOM: "Our authority's own pattern"}


def roi_settings_values(org: Organisation) -> dict[str, Any]:
    """The form's values, and what an audit event compares."""
    settings = org.settings or {}
    naming = settings.get("roi_file_naming") or DEFAULT_NAMING
    custom = naming not in FILE_NAMING
    return {
        "release": settings.get("roi_taxonomy") or DEFAULT_RELEASE,
        "file_naming": CUSTOM if custom else naming,
        "file_pattern": naming if custom else "",
    }


def stored_naming(data: RoiSettings) -> str:
    """What goes into `roi_file_naming`, or a refusal beside the field at fault."""
    if data.release not in TAXONOMIES:
        raise refusal(
            "release",
            f"Assay has no template definitions for release {data.release!r}; "
            f"choose one of {', '.join(TAXONOMIES)}.",
        )
    if data.file_naming in FILE_NAMING:
        return data.file_naming
    if data.file_naming != CUSTOM:
        raise refusal(
            "file_naming", f"Choose one of the conventions listed, or {CUSTOM!r} with a pattern."
        )
    pattern = data.file_pattern or ""
    problem = pattern_problem(pattern)
    if problem:
        raise refusal("file_pattern", problem)
    return pattern


def preview(org: Organisation, *, release: str, naming: str, now: datetime) -> str:
    """The file name a package of the organisation would get now, for the last year end."""
    return file_name(
        naming,
        lei=org.lei,
        level="IND",
        country=org.country,
        module=TAXONOMIES[release].module,
        ref_date=date(now.year - 1, 12, 31),
        generated_at=now,
    )


def save_roi_settings(
    *, session: Session, actor: User, data: RoiSettings, ip: str | None = None
) -> Organisation:
    """Store the release and file naming; one `organisation.roi_settings_changed` event with
    what changed before and after (none when nothing changed). Other settings are kept."""
    org = get_organisation(session=session, user=actor, lock=True)
    naming = stored_naming(data)
    settings = org.settings or {}
    before = {
        "roi_taxonomy": settings.get("roi_taxonomy") or DEFAULT_RELEASE,
        "roi_file_naming": settings.get("roi_file_naming") or DEFAULT_NAMING,
    }
    after = {"roi_taxonomy": data.release, "roi_file_naming": naming}
    diff = audit_diff(before, after)
    if not diff["after"]:
        return org
    org.settings = {**settings, **after}  # a new dict, so the JSON column is seen as changed
    session.add(org)
    session.flush()
    record(
        session=session,
        action="organisation.roi_settings_changed",
        actor=actor,
        organisation_id=org.id,
        object_type="organisation",
        object_id=org.id,
        data=diff,
        ip=ip,
    )
    return org


def now() -> datetime:
    return datetime.now(UTC)
