"""Every setting, from SAFEGUARD_* environment variables, checked when read; and where the
product keeps its files.

SAFEGUARD_HOME holds the warehouse, app state (by default), the keys and the load lock. Tests
point it at a temporary folder; deployments at a persistent volume. Several app instances (a
hub) each keep their own home and share the published warehouse and its load lock through
SAFEGUARD_WAREHOUSE_DIR. docs/deploy.md lists every
setting from the `Environment` model below, so the list cannot drift from the code.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "SAFEGUARD_"


class Environment(BaseSettings):
    """The settings, each read from SAFEGUARD_<NAME>."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    home: Path = Field(
        Path("var"),
        description="Folder for the warehouse and the load lock (unless "
        "SAFEGUARD_WAREHOUSE_DIR is set), app state (SQLite) and the keys.",
    )
    warehouse_dir: Path | None = Field(
        None,
        description="Folder of the published warehouse and its load "
        "lock, when several app instances and the loader share them (each "
        "keeping its own home); the home when unset.",
    )
    appstate_url: str | None = Field(
        None,
        description="SQLAlchemy URL of app state, e.g. "
        "postgresql+psycopg://user@host/db; a SQLite file in the home when unset.",
    )
    pseudonymisation_key: SecretStr | None = Field(
        None,
        description="Key for hashing child IDs; else the key file "
        "pseudonymisation.key in the home, made on first use.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs session cookies; the same on every "
        "instance. Else session.key in the home, made on first use.",
    )
    secure_cookies: bool = Field(
        False, description="Send the session cookie over HTTPS only (set behind TLS)."
    )
    idle_minutes: int = Field(30, gt=0, description="Minutes without a request before a session ends.")
    trusted_hosts: str = Field(
        "",
        description="Host names the app answers to besides loopback, comma-separated "
        "(e.g. dashboard.example.gov.uk); a request naming any other Host gets 400.",
    )
    public_url: str | None = Field(
        None,
        description="The dashboard's address as users reach it, e.g. "
        "https://dashboard.example.gov.uk: single sign-on returns to it, PDFs may be "
        "printed from it, and its host is trusted. Unset: PDFs are printed from this "
        "server's own loopback address.",
    )
    proxy_hops: int = Field(
        0,
        ge=0,
        description="How many reverse proxies in front of the app set "
        "X-Forwarded-For and X-Forwarded-Proto (0: none; the client is the direct peer).",
    )
    pdf_renders: int = Field(
        2,
        gt=0,
        description="PDFs each server process prints at once; a request beyond "
        "that is told the server is busy (503) and to try again.",
    )
    load_dirs: str | None = Field(
        None, description="Folders (separated by ':') that loads may read; any when unset."
    )
    cadence_days: int = Field(
        45, gt=0, description="Days after the end of a dataset's data before pages say it is out of date."
    )
    cadence_by_dataset: dict[str, int] = Field(
        default_factory=dict,
        description='Per-dataset cadence in days, as JSON, e.g. {"missing_episodes": 14}.',
    )
    duckdb_memory_limit: str = Field(
        "384MB",
        pattern=r"^[0-9]+(\.[0-9]+)? ?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="The most memory DuckDB may keep for reading the warehouse, per process that "
        "reads it (each gunicorn worker, the scheduler), e.g. 384MB: DuckDB's own default is 80% of "
        "the machine's memory per process. Most of it is blocks of the file kept in case they are read "
        "again: at national scale a worker's grew to about 460 MB over the benchmark's 1,750 views. "
        "Less keeps the app smaller and costs CPU and throughput once blocks are read again: with "
        "256MB the benchmark's saturation fell from 89 to 49 callbacks/s. A query that needs more than "
        "the limit fails with an error saying so.",
    )
    duckdb_threads: int = Field(
        1,
        ge=1,
        le=64,
        description="The threads DuckDB may use for one query that reads the warehouse, per process "
        "(each gunicorn worker, the scheduler). 1: each request's queries run on one core while the "
        "server's other requests use the others; on 2 cores that serves about 8% more callbacks per "
        "second of CPU than DuckDB's default (a thread per core), with the same page times. A few users "
        "on many cores may set more, for the largest views (England split by area).",
    )
    duckdb_load_memory_limit: str = Field(
        "2.5GB",
        pattern=r"^[0-9]+(\.[0-9]+)? ?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="The most memory DuckDB may keep while a load writes the warehouse, e.g. 2.5GB: "
        "DuckDB spills the rest to disk. A national build of all 153 LAs at once peaks at about 3.9 GB "
        "with 2.5GB (6.4 GB with no limit, 20% faster); a one-LA load is as fast either way.",
    )
    log_level: str = Field("INFO", description="Level of the JSON logs (DEBUG, INFO, WARNING, ERROR).")
    chromium: str = Field("/usr/bin/chromium", description="The Chromium that prints pages to PDF.")
    partnership_name: str | None = Field(
        None,
        max_length=120,
        description="The partnership's name on printed packs and reports, e.g. Newcastle Safeguarding "
        "Children Partnership (else the local authorities' names).",
    )
    protective_marking: str = Field(
        "OFFICIAL-SENSITIVE",
        max_length=60,
        description="The protective marking at the top and foot of every printed page (empty: none).",
    )
    oidc_metadata_url: str | None = Field(
        None, description="OpenID Connect discovery URL; with the client ID it turns on single sign-on."
    )
    oidc_client_id: str | None = Field(None, description="The app's client ID at the identity provider.")
    oidc_client_secret: SecretStr | None = Field(None, description="The app's client secret.")
    oidc_username_claim: str | None = Field(
        None, description="The claim that names the local account (else preferred_username, email, upn)."
    )
    oidc_scopes: str = Field("openid email profile", description="Scopes asked of the identity provider.")
    schedule: str = Field(
        "*/15 * * * *",
        description="When `safeguard schedule` runs the inbox: crontab expressions separated by ';'.",
    )
    schedule_timezone: str | None = Field(
        None, description="The time zone of those timetables, e.g. Europe/London (else the machine's)."
    )
    spc_shift_points: int = Field(
        7,
        ge=5,
        le=12,
        description="SPC: how many points in a row on one side of the "
        "mean make a special cause (Making Data Count: 7).",
    )
    spc_trend_points: int = Field(
        7,
        ge=5,
        le=12,
        description="SPC: how many points in a row rising or falling make "
        "a special cause (NHS guidance: 7; some use 6).",
    )
    local_user: str | None = Field(
        None,
        description="Who command-line and in-process actions are recorded as "
        "(else the account running them).",
    )
    local_role: str = Field("admin", description="The role of that local operator.")

    smtp_host: str | None = Field(
        None,
        description="The mail server that sends reminders of figures due (`safeguard remind`); none: no email.",
    )
    smtp_port: int = Field(25, gt=0, lt=65536, description="Its port (587 with STARTTLS, usually).")
    smtp_from: str | None = Field(
        None, description="The sender of reminders, e.g. safeguarding-data@example.gov.uk."
    )
    smtp_starttls: bool = Field(
        False, description="Upgrade the connection to TLS (STARTTLS) before signing in."
    )
    smtp_user: str | None = Field(
        None, description="The account to sign in to the mail server as, if it asks."
    )
    smtp_password: SecretStr | None = Field(None, description="Its password.")
    remind_to: str = Field(
        "",
        description="Addresses that get each agency's reminders besides its partner accounts named by email "
        "address: 'Police: a@police.uk, b@police.uk; Health: c@nhs.net'.",
    )
    remind_days: int = Field(
        7, ge=0, description="Reminders list figures late and those due within this many days."
    )

    @field_validator("public_url")
    @classmethod
    def _a_whole_address(cls, value: str | None) -> str | None:
        # Without its scheme ("dashboard.example.gov.uk") an address has no host to trust, and no
        # place for single sign-on to return to.
        parts = urlsplit(value) if value else None
        if parts is not None and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError(
                f"SAFEGUARD_PUBLIC_URL '{value}' is not a whole address: "
                "give its scheme and host, e.g. https://dashboard.example.gov.uk"
            )
        return value

    max_shrink: float = Field(
        0.5,
        ge=0,
        le=1,
        description="The largest share of the rows a load's window holds "
        "that one file may remove (0.5: half); a file that would remove more, or whose every "
        "row is rejected, is refused unless loaded with --allow-shrink.",
    )


def environment() -> Environment:
    """The settings as the environment holds them now. Tests and restarts change them, so they are
    read again whenever one of the variables differs; reading them costs milliseconds, and pages
    ask for them many times a request, so only the variables of the settings are looked at (by
    their names as the docs give them), not the whole environment."""
    return _environment(tuple(os.environ.get(name) for name in _VARIABLES))


_VARIABLES = tuple(f"{ENV_PREFIX}{name.upper()}" for name in Environment.model_fields)


@lru_cache(maxsize=8)
def _environment(_values: tuple[str | None, ...]) -> Environment:
    return Environment()


@dataclass(frozen=True)
class Settings:
    home: Path
    warehouse_dir: Path | None = None  # shared by the instances of a hub; else the home

    @property
    def warehouse_folder(self) -> Path:
        return self.warehouse_dir or self.home

    @property
    def warehouse_path(self) -> Path:
        return self.warehouse_folder / "warehouse.duckdb"

    @property
    def key_path(self) -> Path:
        return self.home / "pseudonymisation.key"

    @property
    def lock_path(self) -> Path:
        """Beside the warehouse: the loads, upgrades and backups of every instance queue on one lock."""
        return self.warehouse_folder / "load.lock"


OWNER_ONLY_FILE, OWNER_ONLY_DIR = 0o600, 0o700


def owner_only_dir(path: Path) -> Path:
    """The folder, made if missing so that only the service account may list or enter it: the home
    and backups hold children's records, password hashes and keys. An existing folder is left as
    it is (it may be a read-only share); docs/deploy.md says how to close up an older install."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_DIR)
        os.chmod(path, OWNER_ONLY_DIR)
    return path


def owner_only_file(path: Path) -> Path:
    """The file, made empty if missing, readable and writable by the service account only."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE))
    except FileExistsError:
        pass  # made before (or by another worker just now)
    return path


def get_settings() -> Settings:
    settings = environment()
    return Settings(
        home=settings.home.resolve(),
        warehouse_dir=settings.warehouse_dir.resolve() if settings.warehouse_dir else None,
    )


def pseudonymisation_key(settings: Settings) -> bytes:
    """The local key for hashing child IDs: SAFEGUARD_PSEUDONYMISATION_KEY, else a key file.

    A key file is made on first use, readable by its owner only. Losing it means the same
    child gets a different ID in later loads, so back it up with the warehouse.
    """
    from_env = environment().pseudonymisation_key
    if from_env:
        return from_env.get_secret_value().encode("utf-8")
    if not settings.key_path.exists():
        owner_only_dir(settings.home)
        fd = os.open(settings.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return settings.key_path.read_text().strip().encode("utf-8")
