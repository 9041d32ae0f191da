"""Where the product keeps its files, from SAFEGUARD_HOME and SAFEGUARD_WAREHOUSE_DIR."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from warehouse.settings import environment, get_settings


def test_a_shared_warehouse_folder_takes_the_warehouse_and_its_lock_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAFEGUARD_HOME", "instance-a")
    monkeypatch.setenv("SAFEGUARD_WAREHOUSE_DIR", "shared/warehouse")  # relative: to where it was started
    settings = get_settings()
    assert settings.warehouse_path == tmp_path / "shared" / "warehouse" / "warehouse.duckdb"
    assert settings.lock_path == tmp_path / "shared" / "warehouse" / "load.lock"
    assert settings.key_path == tmp_path / "instance-a" / "pseudonymisation.key"


def test_without_a_shared_folder_the_warehouse_and_its_lock_are_in_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAFEGUARD_WAREHOUSE_DIR", raising=False)
    settings = get_settings()
    assert (settings.warehouse_path, settings.lock_path) == (
        tmp_path / "home" / "warehouse.duckdb",
        tmp_path / "home" / "load.lock",
    )


@pytest.mark.parametrize("address", ["dashboard.example.gov.uk", "dashboard.example.gov.uk:8443", "https://"])
def test_a_public_url_without_its_scheme_or_host_is_refused_naming_the_setting(address, monkeypatch):
    # Without a scheme, urlsplit finds no host: the app trusted a host of None, and Werkzeug's
    # host check failed with an AttributeError (a 500) on every request it reached.
    monkeypatch.setenv("SAFEGUARD_PUBLIC_URL", address)
    with pytest.raises(ValidationError, match=f"SAFEGUARD_PUBLIC_URL '{address}' is not a whole address"):
        environment()


def test_a_whole_public_url_is_kept_as_given(monkeypatch):
    monkeypatch.setenv("SAFEGUARD_PUBLIC_URL", "https://dashboard.example.gov.uk:8443/")
    assert environment().public_url == "https://dashboard.example.gov.uk:8443/"
