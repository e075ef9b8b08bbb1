"""Register of Information settings: an administrator chooses the taxonomy release and the
package's file naming (a named convention or the authority's own pattern, checked and
previewed); the change is audited, bad input saves nothing, and the export uses the setting."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from app.forms import FieldErrors
from app.models import AuditEvent, Organisation
from app.organisation.roi_settings import roi_settings_values, save_roi_settings
from app.organisation.schemas import RoiSettings
from app.register.roi.service import load_register
from app.register.roi.taxonomy import file_pattern
from tests.helpers import login
from tests.worlds import Buyer, make_buyer

PATH = "/settings/register-of-information"
PATTERN = "RoI_{lei}_{ref_date}_{timestamp}"


@pytest.fixture
def world(session: Session) -> Buyer:
    built = make_buyer(session, "Acme Bank", settings={"currency": "EUR"})
    session.commit()
    return built


def events(session: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "organisation.roi_settings_changed")
    return list(session.exec(query).all())


# --- the service ----------------------------------------------------------------------------------


def test_saving_a_custom_pattern_keeps_other_settings_and_is_audited_once(session, world):
    assert roi_settings_values(world.org) == {
        "release": "4.0",
        "file_naming": "eba",
        "file_pattern": "",
    }
    data = RoiSettings(release="4.0", file_naming="custom", file_pattern=PATTERN)
    save_roi_settings(session=session, actor=world.admin, data=data)
    save_roi_settings(session=session, actor=world.admin, data=data)  # no change: no event
    org = session.get(Organisation, world.org.id)
    assert org.settings == {"currency": "EUR", "roi_taxonomy": "4.0", "roi_file_naming": PATTERN}
    assert roi_settings_values(org)["file_naming"] == "custom"
    [event] = events(session)
    assert event.data == {
        "before": {"roi_file_naming": "eba"},
        "after": {"roi_file_naming": PATTERN},
    }
    # the register export reads it
    loaded = load_register(
        session=session,
        organisation_id=org.id,
        ref_date=date(2025, 12, 31),
        report_date=date(2026, 1, 15),
    )
    assert file_pattern(loaded.file_naming) == PATTERN


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"release": "9.9"}, "release", "no template definitions for release '9.9'"),
        ({"file_naming": "nbb"}, "file_naming", "Choose one of the conventions"),
        ({"file_pattern": "{lei}_{timestamp}"}, "file_pattern", "needs {ref_date}"),
        ({"file_pattern": "../{lei}_{ref_date}"}, "file_pattern", "not a folder"),
        ({"file_pattern": None}, "file_pattern", "Enter a file name pattern"),
    ],
)
def test_bad_settings_are_refused_beside_the_field_and_nothing_is_saved(
    session, world, changes, field, message
):
    values = {"release": "4.0", "file_naming": "custom", "file_pattern": PATTERN, **changes}
    with pytest.raises(FieldErrors) as refused:
        save_roi_settings(session=session, actor=world.admin, data=RoiSettings(**values))
    assert message in refused.value.errors[field]
    assert session.get(Organisation, world.org.id).settings == {"currency": "EUR"}
    assert events(session) == []


# --- the page -------------------------------------------------------------------------------------


def test_an_admin_saves_a_pattern_and_sees_the_file_name(client, engine, world):
    admin = login(client, world.admin.email)
    page = admin.get(PATH)
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text
    assert '<option value="4.0" selected>4.0 (module DORA010100)</option>' in page.text
    assert "Packages are named like: <code>" in page.text and "_DORA010100_DORA_" in page.text

    form = {"release": "4.0", "file_naming": "custom", "file_pattern": PATTERN}
    previewed = admin.post(PATH, data={**form, "action": "preview"})
    assert previewed.status_code == 200
    assert "With these settings (not saved yet)" in previewed.text
    assert f"RoI_{world.org.lei}_" in previewed.text
    with Session(engine) as session:
        assert events(session) == []  # a preview saves nothing

    saved = admin.post(PATH, data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == PATH
    page = admin.get(PATH)
    assert "Register of Information settings saved." in page.text
    assert f'value="{PATTERN}"' in page.text
    assert f"Packages are named like: <code>RoI_{world.org.lei}_" in page.text
    with Session(engine) as session:
        assert len(events(session)) == 1


def test_a_bad_pattern_shows_the_message_and_saves_nothing(client, engine, world):
    admin = login(client, world.admin.email)
    refused = admin.post(
        PATH, data={"release": "4.0", "file_naming": "custom", "file_pattern": "a/{lei}"}
    )
    assert refused.status_code == 422
    assert 'id="error-file_pattern">The pattern names one file, not a folder' in refused.text
    assert 'value="a/{lei}"' in refused.text  # what was typed stays
    unknown = admin.post(PATH, data={"release": "5.0", "file_naming": "eba"})
    assert unknown.status_code == 422
    assert "no template definitions for release &#39;5.0&#39;" in unknown.text
    with Session(engine) as session:
        assert session.get(Organisation, world.org.id).settings == {"currency": "EUR"}
        assert events(session) == []


@pytest.mark.parametrize("role", ["analyst", "procurement"])
def test_only_an_admin_reaches_the_page(client, world, role):
    other = login(client, getattr(world, role).email)
    assert other.get(PATH).status_code == 403
    form = {"release": "4.0", "file_naming": "eba"}
    assert other.post(PATH, data=form).status_code == 403
    assert "Register of Information settings" not in other.get("/").text


def test_saving_needs_the_csrf_token(client, world):
    admin = login(client, world.admin.email)
    del admin.headers["X-CSRF-Token"]
    assert admin.post(PATH, data={"release": "4.0", "file_naming": "eba"}).status_code == 403
