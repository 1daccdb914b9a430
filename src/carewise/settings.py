"""Settings: from environment variables (``CAREWISE_…``), a settings file, or defaults.

The embedded SQLite database lives in the per-user data folder unless
``CAREWISE_DATABASE_URL`` points elsewhere (e.g. ``postgresql+psycopg://…``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from carewise.folders import ENV_PREFIX, default_data_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=None, extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    """Where carewise keeps its SQLite database, saved scenarios and market data."""
    database_url: str | None = None
    """SQLAlchemy URL; default: SQLite file ``carewise.db`` in the data folder."""
    council: str | None = None
    """The council (ONS code, e.g. E06000056) commands use when more than one is stored."""
    user: str | None = None
    """Who is recorded against imports run from the command line (default: the OS user)."""

    secret_key: str | None = None
    """Signs web session cookies; default: a random key kept in the data folder."""
    secure_cookies: bool = False
    """Set true when the web app is served over HTTPS: cookies become Secure and HSTS is sent."""
    trusted_proxies: str | None = None
    """Comma-separated addresses of reverse proxies in front of ``carewise serve`` (e.g.
    ``127.0.0.1``): their ``X-Forwarded-For``/``-Proto`` headers are believed, so sign-in throttling
    sees each visitor's real address. Default: none (the headers are ignored)."""
    session_idle_minutes: float = 30
    """A web session unused for this long ends (OWASP ASVS 3.3.2); sign in again."""
    session_absolute_hours: float = 8
    """A web session ends this long after sign-in, however busy (OWASP ASVS 3.3.2)."""
    audit_retention_days: int | None = None
    """Audit entries older than this many days may be purged (``carewise audit purge`` or the
    audit page); default: kept for ever. The purge itself is audited."""
    dask_address: str | None = None
    """Dask scheduler address for ``carewise forecast sweep`` (e.g. ``tcp://10.0.0.5:8786``);
    default: a local cluster of 2 worker processes, one thread each, started for the sweep."""
    oidc_metadata_url: str | None = None
    """OpenID Connect discovery URL of the council's single sign-on (enables "Sign in with SSO")."""
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_default_role: str = "panel"
    """Role given to a single-sign-on user seen for the first time (an admin can change it)."""

    disclosure_threshold: int = 5
    """Counts from 1 to this minus one are shown as ``x`` to audiences that may not see children
    (``docs/disclosure.md``); DfE's older tables hid 1 to 5 (set 6 to follow them)."""
    disclosure_rounding: int = 1
    """Counts shown to those audiences are rounded to the nearest multiple of this (1: unrounded,
    as DfE shows council figures; 5 or 10 as DfE and ONS round national ones)."""
    disclosure_audiences: str = "panel,public"
    """Comma-separated audiences whose figures are disclosure-controlled (``internal``, ``panel``,
    ``public``): they get published periods and predefined tables only."""

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'carewise.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
