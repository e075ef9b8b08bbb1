"""Settings: defaults, the generated secret key, and one-line errors for bad values."""

from __future__ import annotations

import stat

import pytest

from app.config import SettingsError, load_settings


def test_defaults_are_embedded_sqlite_in_var(monkeypatch):
    monkeypatch.delenv("ASSAY_DATABASE_URL", raising=False)
    monkeypatch.delenv("ASSAY_DATA_DIR", raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///var/assay.db"
    assert str(settings.data_dir) == "var"
    assert settings.upload_limit_bytes == 25 * 1024 * 1024


def test_secret_key_is_generated_once_with_private_permissions(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    first = settings.resolved_secret_key()
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings(data_dir=tmp_path).resolved_secret_key() == first
    assert len(first) >= 48


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ASSAY_DATABASE_URL", "mysql://db/x", "unsupported database 'mysql'"),
        ("ASSAY_DATABASE_URL", "not a url", "not a database URL"),
        ("ASSAY_SMTP_PORT", "99999", "ASSAY_SMTP_PORT"),
        ("ASSAY_BASE_URL", "ftp://x", "must start with http"),
        ("ASSAY_UPLOAD_LIMIT_MB", "lots", "ASSAY_UPLOAD_LIMIT_MB"),
    ],
)
def test_invalid_settings_fail_with_one_line_naming_the_variable(
    monkeypatch, variable, value, expected
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert expected in message and variable in message
    assert "\n" not in message


def test_short_secret_key_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings(data_dir=tmp_path, secret_key="short").resolved_secret_key()
