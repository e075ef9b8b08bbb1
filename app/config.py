"""Settings read from ASSAY_* environment variables (and an optional .env file).

Invalid settings must stop the process with one readable line, so `load_settings` turns
validation errors into `SettingsError` and the CLI prints just its message.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DATABASES = ("sqlite", "postgresql")


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSAY_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/assay.db"
    data_dir: Path = Path("var")
    secret_key: str | None = Field(default=None, repr=False)
    base_url: str = "http://127.0.0.1:8000"
    environment: str = "development"
    # Host names the server answers to, comma-separated (`*.example.com`, `*` for any);
    # default: base_url's host and loopback (and the test client's `testserver` in development).
    allowed_hosts: str | None = None

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_tls: bool = False
    mail_from: str = "Assay <no-reply@assay.local>"

    upload_limit_mb: int = Field(default=25, ge=1, le=2048)
    session_idle_minutes: int = Field(default=60, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    invitation_days: int = Field(default=14, ge=1)
    reminder_days_before: list[int] = Field(default=[7, 1])
    reminder_interval_seconds: int = Field(default=3600, ge=0)
    # While serving: send the outbox, reminders and due re-assessments periodically (tests: off).
    background_tasks: bool = True
    outbox_interval_seconds: int = Field(default=30, ge=1)

    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)

    password_hash_fast: bool = False  # cheaper argon2 parameters; tests only
    # Reverse proxies whose X-Forwarded-For names the client (addresses or networks, commas).
    trusted_proxies: str = "127.0.0.1"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {value!r}") from exc
        if url.get_backend_name() not in SUPPORTED_DATABASES:
            raise ValueError(
                f"unsupported database {url.get_backend_name()!r} (use sqlite or postgresql)"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, value: str | None) -> str | None:
        if value is None:
            return None
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names:
            raise ValueError("name at least one host, e.g. assay.example.com")
        for name in names:
            if "/" in name or " " in name or name.count("*") > (1 if name.startswith("*") else 0):
                raise ValueError(f"{name!r} is not a host name (no scheme, path or port)")
        return ",".join(names)

    @property
    def trusted_hosts(self) -> tuple[str, ...]:
        if self.allowed_hosts:
            return tuple(name.lower() for name in self.allowed_hosts.split(","))
        hosts = [urlsplit(self.base_url).hostname or "", "127.0.0.1", "localhost", "::1"]
        if self.environment == "development":
            hosts.append("testserver")
        return tuple(dict.fromkeys(hosts))

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for entry in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry!r}") from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def upload_limit_bytes(self) -> int:
        return self.upload_limit_mb * 1024 * 1024

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in data_dir/secret_key (0600)."""
        if self.secret_key:
            if len(self.secret_key) < 32:
                raise SettingsError("ASSAY_SECRET_KEY: must be at least 32 characters")
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation error into one line naming the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "ASSAY_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"{name}: {first['msg']}") from None
    return settings


@lru_cache
def get_settings() -> Settings:
    return load_settings()
