"""Where the product keeps its files, from the environment with local defaults.

SAFEGUARD_HOME holds the warehouse, the pseudonymisation key and the load lock. Tests point
it at a temporary folder; deployments at a persistent volume.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def key_path(self) -> Path:
        return self.home / "pseudonymisation.key"

    @property
    def lock_path(self) -> Path:
        return self.home / "load.lock"


def get_settings() -> Settings:
    home = Path(os.environ.get("SAFEGUARD_HOME", "var")).resolve()
    return Settings(home=home)


def pseudonymisation_key(settings: Settings) -> bytes:
    """The local key for hashing child IDs: SAFEGUARD_PSEUDONYMISATION_KEY, else a key file.

    A key file is made on first use, readable by its owner only. Losing it means the same
    child gets a different ID in later loads, so back it up with the warehouse.
    """
    from_env = os.environ.get("SAFEGUARD_PSEUDONYMISATION_KEY")
    if from_env:
        return from_env.encode("utf-8")
    if not settings.key_path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        fd = os.open(settings.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return settings.key_path.read_text().strip().encode("utf-8")
