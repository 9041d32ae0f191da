"""A backup holds the warehouse, app state and keys together; a restore puts exactly them back."""

from __future__ import annotations

from datetime import date

import pytest

from appstate.db import session
from appstate.targets import all_targets, set_target
from etl.backup import BackupError, backup, restore
from etl.docs import EXAMPLES_DIR


def test_a_restore_brings_back_the_data_targets_and_keys_of_the_backup(settings, load, query, tmp_path):
    load(EXAMPLES_DIR / "referrals.csv")
    with session() as db:
        set_target(db, "re_referral_12m", "E08000021", date(2025, 4, 1), 21.5, set_by="alice")
    made = backup(settings, tmp_path / "backups")
    assert sorted(made.files) == ["appstate.sqlite", "warehouse.duckdb"]  # the key comes from the environment here
    assert not made.appstate_external

    load(EXAMPLES_DIR / "contacts.csv")  # after the backup: a new load and a new target
    with session() as db:
        set_target(db, "re_referral_12m", "E08000021", date(2026, 4, 1), 19.0, set_by="bob")
    assert query("SELECT count(*) FROM contact") == [(2,)]

    assert restore(settings, made.folder) == ["warehouse.duckdb", "appstate.sqlite"]
    assert query("SELECT count(*) FROM contact") == [(0,)]
    assert query("SELECT count(*) FROM referral") == [(2,)]
    with session() as db:
        assert [(t.value, t.set_by) for t in all_targets(db, ("E08000021",))] == [(21.5, "alice")]


def test_a_damaged_backup_restores_nothing(settings, load, query, tmp_path):
    load(EXAMPLES_DIR / "referrals.csv")
    made = backup(settings, tmp_path / "backups")
    load(EXAMPLES_DIR / "contacts.csv")
    with open(made.folder / "warehouse.duckdb", "r+b") as handle:
        handle.seek(4096)
        handle.write(b"damage")
    with pytest.raises(BackupError, match="does not match its checksum"):
        restore(settings, made.folder)
    assert query("SELECT count(*) FROM contact") == [(2,)]  # the current warehouse is untouched


def test_nothing_to_back_up_or_not_a_backup_is_said_plainly(settings, tmp_path):
    with pytest.raises(BackupError, match="there is no warehouse"):
        backup(settings, tmp_path / "backups")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BackupError, match="is not a backup"):
        restore(settings, tmp_path / "empty")
