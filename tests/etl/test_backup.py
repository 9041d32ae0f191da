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
    assert sorted(made.files) == [
        "appstate.sqlite",
        "warehouse.duckdb",
    ]  # the key comes from the environment here
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


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_a_backup_and_what_it_restores_are_the_service_accounts_only(settings, load, tmp_path):
    load(EXAMPLES_DIR / "referrals.csv")
    with session() as db:
        set_target(db, "re_referral_12m", "E08000021", date(2025, 4, 1), 21.5, set_by="alice")
    made = backup(settings, tmp_path / "backups")
    assert _mode(made.folder) == 0o700
    assert {p.name: _mode(p) for p in made.folder.iterdir()} == {
        "appstate.sqlite": 0o600,
        "warehouse.duckdb": 0o600,
        "manifest.json": 0o600,
    }
    restore(settings, made.folder)
    assert [_mode(settings.home / name) for name in ("appstate.sqlite", "warehouse.duckdb")] == [0o600, 0o600]


def test_a_restore_keeps_the_audit_events_since_the_backup_and_records_itself(
    settings, load, tmp_path, monkeypatch
):
    from appstate.audit import AuditQuery, recent_events, record

    monkeypatch.setenv("SAFEGUARD_LOCAL_USER", "ops.jo")
    load(EXAMPLES_DIR / "referrals.csv")
    with session() as db:
        record(db, "alice", "export", subject="before.csv")
    made = backup(settings, tmp_path / "backups")
    with session() as db:
        record(db, "bob", "export", subject="after.csv")
        set_target(
            db, "re_referral_12m", "E08000021", date(2026, 4, 1), 19.0, set_by="bob"
        )  # lost: as backed up
    restore(settings, made.folder)
    with session() as db:
        events = [(e.username, e.action, e.subject) for e in reversed(recent_events(db, AuditQuery()))]
        assert all_targets(db, ("E08000021",)) == []
    assert [e for e in events if e[1] in ("export", "target_set", "restore")] == [
        ("alice", "export", "before.csv"),
        ("bob", "export", "after.csv"),
        ("bob", "target_set", "re_referral_12m for E08000021"),
        ("ops.jo", "restore", str(made.folder)),
    ]
