"""Loading end to end: idempotent, replacing by LA and window, private, and atomic."""

from __future__ import annotations

import hashlib

import pytest

from etl.readers.native_csv import read_native_csv
from etl.staging.native import stage
from tests.helpers import write_extract
from warehouse.model.datasets import Column, Kind
from warehouse.model.files import active_model


def test_the_same_file_twice_changes_nothing(tmp_path, load, query):
    path = write_extract(tmp_path / "contacts.csv", "contacts", [{}, {"contact_date": "2024-09-01"}])
    load(path)
    first = query("SELECT * EXCLUDE (load_id) FROM contact ORDER BY contact_id")
    [again] = load(path)
    assert again.status == "unchanged"
    assert "already loaded as load 1" in again.message
    [forced] = load(path, force=True)
    assert (forced.status, forced.rows_loaded, forced.rows_replaced) == ("loaded", 2, 2)
    assert query("SELECT * EXCLUDE (load_id) FROM contact ORDER BY contact_id") == first
    assert query("SELECT count(*) FROM child") == [(1,)]


def test_a_reload_replaces_only_its_la_and_window(tmp_path, load, query):
    april = {"coverage_start": "2024-04-01", "coverage_end": "2024-04-30"}
    may = {"coverage_start": "2024-05-01", "coverage_end": "2024-05-31"}
    load(
        write_extract(
            tmp_path / "april.csv",
            "contacts",
            [{"contact_date": "2024-04-02"}, {"contact_date": "2024-04-03"}],
            **april,
        ),
        write_extract(
            tmp_path / "may.csv", "contacts", [{"contact_id": "M1", "contact_date": "2024-05-02"}], **may
        ),
        write_extract(
            tmp_path / "county.csv",
            "contacts",
            [{"contact_date": "2024-04-02"}],
            la_code="E06000057",
            **april,
        ),
    )
    # A corrected April extract: one contact deleted at source, one outcome changed.
    [outcome] = load(
        write_extract(
            tmp_path / "april_v2.csv", "contacts", [{"contact_date": "2024-04-02", "outcome": "NFA"}], **april
        )
    )
    assert outcome.rows_replaced == 2
    assert query(
        "SELECT la_code, contact_id, contact_date::VARCHAR, outcome FROM contact ORDER BY la_code, contact_id"
    ) == [
        ("E06000057", "CO1", "2024-04-02", "REF"),
        ("E08000021", "CO1", "2024-04-02", "NFA"),
        ("E08000021", "M1", "2024-05-02", "REF"),
    ]


def test_open_records_from_before_the_window_are_updated_not_duplicated(tmp_path, load, query):
    load(
        write_extract(
            tmp_path / "plans_2023.csv",
            "cp_plans",
            [{"start_date": "2023-10-01", "end_date": ""}],
            coverage_start="2023-04-01",
            coverage_end="2024-03-31",
        )
    )
    load(
        write_extract(
            tmp_path / "plans_2024.csv", "cp_plans", [{"start_date": "2023-10-01", "end_date": "2024-05-01"}]
        )
    )
    assert query("SELECT cp_plan_id, start_date::VARCHAR, end_date::VARCHAR FROM cp_plan") == [
        ("CP1", "2023-10-01", "2024-05-01")
    ]


def test_staging_keeps_no_personal_detail(tmp_path, load, query):
    path = write_extract(
        tmp_path / "contacts.csv",
        "contacts",
        [{"child_id": " LCS0012345 ", "date_of_birth": "19/07/2014", "postcode": "ne4 6su"}],
    )
    load(path)
    expected_id = hashlib.blake2b(b"E08000021:LCS0012345", key=b"test-key", digest_size=16).hexdigest()
    assert query("SELECT child_id FROM contact") == [(expected_id,)]
    assert query("SELECT child_id, birth_month::VARCHAR, postcode_sector FROM child") == [
        (expected_id, "2014-07-01", "NE4 6")
    ]
    stored = (tmp_path / "home" / "warehouse.duckdb").read_bytes()
    assert b"LCS0012345" not in stored


def test_names_are_never_loaded(tmp_path, load, query):
    path = write_extract(tmp_path / "contacts.csv", "contacts", [{}])
    lines = path.read_text().splitlines()
    path.write_text(f"{lines[0]},child_name,social_worker\n{lines[1]},Ada Lovelace,Jo Bloggs\n")
    [outcome] = load(path)
    assert outcome.ignored_columns == ["child_name", "social_worker"]
    stored = (tmp_path / "home" / "warehouse.duckdb").read_bytes()
    assert b"Lovelace" not in stored and b"Bloggs" not in stored


def test_free_text_is_read_but_never_stored(tmp_path, monkeypatch, load, query):
    # Contacts as a partnership might declare them, with the worker's notes as free text.
    contacts = active_model().datasets["contacts"]
    notes = Column(name="worker_notes", kind=Kind.FREE_TEXT, description="The worker's notes.")
    monkeypatch.setitem(
        active_model().datasets,
        "contacts",
        contacts.model_copy(update={"columns": (*contacts.columns, notes)}),
    )
    path = write_extract(
        tmp_path / "contacts.csv",
        "contacts",
        [
            {"worker_notes": "Mum says Ada Lovelace hit him"},
            {"worker_notes": "Seen at Bloggs Street", "contact_date": "31/02/2024"},  # rejected: no such day
        ],
    )
    raw = read_native_csv(path)
    assert raw.table["worker_notes"].to_pylist()[0] == "Mum says Ada Lovelace hit him"  # read, not ignored
    assert "worker_notes" not in stage(raw, b"test-key").table.column_names
    [outcome] = load(path)
    assert (outcome.status, outcome.rows_loaded, outcome.ignored_columns) == ("loaded_with_rejections", 1, [])
    assert [(r.field, r.value) for r in outcome.rejections] == [("contact_date", "31/02/2024")]
    stored = (tmp_path / "home" / "warehouse.duckdb").read_bytes()
    assert b"Lovelace" not in stored and b"Bloggs" not in stored


def test_codes_with_labels_and_cp1252_text_load(tmp_path, load, query):
    path = write_extract(
        tmp_path / "contacts.csv",
        "contacts",
        [
            {
                "source": "q) 6: Police",
                "gender": "b) Female",
                "outcome": "Referral",
                "area_code": "Hexham Café",
            },
            {"source": "2A", "gender": "1", "outcome": "early help", "ethnicity": "wbri"},
        ],
    )
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    [outcome] = load(path)
    assert outcome.status == "loaded"
    assert query("SELECT source, outcome, area_code FROM contact ORDER BY contact_id") == [
        ("6", "REF", "Hexham Café"),
        ("2A", "EH", "NCL-E"),
    ]
    assert sorted(query("SELECT gender, ethnicity FROM child")) == [
        ("M", "WBRI")
    ]  # the latest row of the child


def test_every_load_is_audited(tmp_path, load, query):
    path = write_extract(tmp_path / "contacts.csv", "contacts", [{}, {"source": "ZZ"}])
    load(path, synthetic=True)
    [(name, sha, dataset, la, window, counts, status, synthetic)] = query(
        "SELECT file_name, file_sha256, dataset, la_code, [coverage_start::VARCHAR, coverage_end::VARCHAR], "
        "[rows_read, rows_loaded, rows_rejected], status, is_synthetic FROM etl_load"
    )
    assert (name, dataset, la, window, counts, status, synthetic) == (
        "contacts.csv",
        "contacts",
        "E08000021",
        ["2024-04-01", "2025-03-31"],
        [2, 1, 1],
        "loaded_with_rejections",
        True,
    )
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()


def test_areas_file_names_the_areas(tmp_path, load, query):
    areas = tmp_path / "areas.csv"
    areas.write_text("la_code,area_code,area_name\nE08000021,NCL-E,East\nE08000021,NCL-W,West\n")
    load(areas, write_extract(tmp_path / "contacts.csv", "contacts", [{"area_code": "NCL-X"}]))
    assert query("SELECT area_code, area_name FROM area ORDER BY area_code") == [
        ("NCL-E", "East"),
        ("NCL-W", "West"),
        ("NCL-X", "NCL-X"),
    ]


def test_a_file_is_not_skipped_when_an_earlier_file_in_the_same_load_replaced_it(tmp_path, load, query):
    first = write_extract(tmp_path / "a.csv", "contacts", [{"outcome": "NFA"}])
    second = write_extract(tmp_path / "b.csv", "contacts", [{"outcome": "REF"}])
    load(first)
    load(second)
    outcomes = load(first, second)  # `first` is not b's latest, so it loads; then `second` must load again
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    assert query("SELECT outcome FROM contact") == [("REF",)]


def test_loading_the_demo_files_twice_gives_identical_counts(tmp_path, load, query):
    from datetime import date

    from etl.demo import generate_demo

    paths = generate_demo(tmp_path / "demo", as_of=date(2026, 11, 25), la_codes=["E08000021"], scale=0.2)
    counts = (
        "SELECT (SELECT count(*) FROM contact), (SELECT count(*) FROM referral), (SELECT count(*) FROM s47_enquiry), "
        "(SELECT count(*) FROM cp_plan), (SELECT count(*) FROM missing_episode), (SELECT count(*) FROM child), "
        "(SELECT count(*) FROM area), (SELECT sum(n) FROM kpi_cube)"
    )
    first = load(*paths, today=date(2026, 11, 25))
    assert all(o.status == "loaded" for o in first)
    after_first = query(counts)
    again = load(*paths, today=date(2026, 11, 25))
    assert all(o.status == "unchanged" for o in again)
    forced = load(*paths, today=date(2026, 11, 25), force=True)
    assert all(o.status == "loaded" for o in forced)
    assert query(counts) == after_first
    assert after_first[0][0] > 1000


def test_the_published_warehouse_and_its_new_home_are_the_service_accounts_only(settings, load):
    from etl.docs import EXAMPLES_DIR

    load(EXAMPLES_DIR / "referrals.csv")
    assert settings.home.stat().st_mode & 0o777 == 0o700
    assert settings.warehouse_path.stat().st_mode & 0o777 == 0o600
    load(EXAMPLES_DIR / "contacts.csv")  # a later load publishes a new file: owner-only again
    assert settings.warehouse_path.stat().st_mode & 0o777 == 0o600


# --- the shrink guard: a file never wipes what its window held by mistake ------------------------

WINDOW = {"coverage_start": "2024-04-01", "coverage_end": "2025-03-31"}


def _contacts(path, count: int, first_day: int = 1, prefix: str = "C", **file_values):
    """`count` good contacts in the window, on days from 2 April 2024, with IDs C0.., one child each."""
    from datetime import date, timedelta

    rows = [
        {
            "contact_id": f"{prefix}{i}",
            "child_id": f"LCS{i}",
            "contact_date": (date(2024, 4, 1) + timedelta(days=first_day + i % 300)).isoformat(),
        }
        for i in range(count)
    ]
    return write_extract(path, "contacts", rows, **(WINDOW | file_values))


def _rows_in_file(path) -> int:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_a_file_whose_every_row_is_rejected_is_refused_and_the_window_kept(tmp_path, load, query):
    held = _contacts(tmp_path / "year.csv", 40)
    load(held)
    # Variants of the one-bad-row file: one row, several rows, bad in different fields.
    for name, rows in (
        ("one.csv", [{"source": "q) 99: Martians"}]),
        ("three.csv", [{"contact_date": "not a date"}, {"child_id": ""}, {"source": "nonsense"}]),
    ):
        path = write_extract(tmp_path / name, "contacts", rows, **WINDOW)
        [outcome] = load(path)
        assert (outcome.status, outcome.rows_read, outcome.rows_loaded) == ("failed", _rows_in_file(path), 0)
        assert outcome.message.startswith(f"{name}: every one of its {_rows_in_file(path)} rows was rejected")
        assert "--allow-shrink" in outcome.message
        assert query("SELECT count(*) FROM contact") == [(_rows_in_file(held),)]
    # Its rejections are kept, so the user can see what to correct.
    assert query("SELECT status, rows_rejected FROM etl_load ORDER BY load_id") == [
        ("loaded", 0),
        ("failed", 1),
        ("failed", 3),
    ]
    assert query("SELECT count(*) FROM etl_rejection WHERE load_id = 3") == [(3,)]


def test_a_file_that_would_remove_more_than_half_its_window_is_refused_unless_allowed(tmp_path, load, query):
    from etl.pipeline import SourceOptions

    held = _contacts(tmp_path / "year.csv", 10)
    load(held)
    [half] = load(_contacts(tmp_path / "five.csv", 5))  # removes 5 of 10: exactly half is allowed
    assert (half.status, half.rows_loaded, half.rows_replaced) == ("loaded", 5, 10)
    [refused] = load(_contacts(tmp_path / "two.csv", 2))  # removes 3 of 5: 60%
    assert refused.status == "failed" and refused.rows_loaded == 0
    assert refused.message.startswith(
        "two.csv would replace the 5 contacts rows the warehouse holds for "
        "E08000021 from 2024-04-01 to 2025-03-31 with 2, removing more than 50%"
    )
    assert query("SELECT count(*) FROM contact") == [(5,)]
    [forced] = load(_contacts(tmp_path / "two.csv", 2), source=SourceOptions(allow_shrink=True))
    assert (forced.status, forced.rows_loaded, forced.rows_replaced) == ("loaded", 2, 5)
    assert query("SELECT count(*) FROM contact") == [(2,)]


def test_the_share_a_file_may_remove_is_a_setting(tmp_path, load, query, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_MAX_SHRINK", "0.2")
    load(_contacts(tmp_path / "year.csv", 10))
    [refused] = load(_contacts(tmp_path / "seven.csv", 7))  # 30% > 20%
    assert refused.status == "failed" and "removing more than 20%" in refused.message
    [eight] = load(_contacts(tmp_path / "eight.csv", 8))  # 20%
    assert eight.status == "loaded"
    assert query("SELECT count(*) FROM contact") == [(8,)]


def test_other_las_and_windows_are_not_counted_and_a_growing_file_always_loads(tmp_path, load, query):
    load(_contacts(tmp_path / "county.csv", 30, la_code="E06000057"))
    load(
        _contacts(
            tmp_path / "older.csv",
            30,
            coverage_start="2023-04-01",
            coverage_end="2024-03-31",
            first_day=-300,
            prefix="OLD",
        )
    )
    # A first load of this LA's 2024/25 window: nothing held there, so nothing to shrink.
    [first] = load(_contacts(tmp_path / "city.csv", 1))
    assert first.status == "loaded"
    [grown] = load(_contacts(tmp_path / "city_more.csv", 3))
    assert grown.status == "loaded"
    assert query("SELECT la_code, count(*) FROM contact GROUP BY la_code ORDER BY la_code") == [
        ("E06000057", 30),
        ("E08000021", 33),
    ]


def test_a_workbook_with_one_list_that_shrinks_loads_no_list(tmp_path, load, query):
    from datetime import datetime

    from etl.pipeline import SourceOptions
    from tests.helpers import CONTACT_HEADER, REFERRAL_HEADER, contact, referral, workbook

    source = SourceOptions(
        la_code="E08000021", coverage=(datetime(2024, 4, 1).date(), datetime(2025, 3, 31).date())
    )
    full = {
        "List 1": [CONTACT_HEADER] + [contact(i, datetime(2024, 5, 1 + i)) for i in range(10)],
        "List 3": [REFERRAL_HEADER] + [referral(i, datetime(2024, 6, 1 + i)) for i in range(10)],
    }
    load(workbook(tmp_path / "full.xlsx", full), source=source)
    shrunk = {"List 1": full["List 1"][:3], "List 3": full["List 3"] + [referral(20, datetime(2024, 7, 1))]}
    outcomes = load(workbook(tmp_path / "shrunk.xlsx", shrunk), source=source)
    assert [(o.dataset, o.status) for o in outcomes] == [("contacts", "failed"), ("referrals", "failed")]
    assert all(
        o.message.startswith("shrunk.xlsx (List 1) would replace the 10 contacts rows") for o in outcomes
    )
    assert query("SELECT (SELECT count(*) FROM contact), (SELECT count(*) FROM referral)") == [(10, 10)]


def test_the_cli_refuses_a_shrinking_file_with_exit_1_and_loads_it_with_allow_shrink(
    tmp_path, load, query, monkeypatch
):
    from typer.testing import CliRunner

    from etl.cli import app

    monkeypatch.setenv("COLUMNS", "300")
    load(_contacts(tmp_path / "year.csv", 20))
    one = write_extract(tmp_path / "one.csv", "contacts", [{"source": "q) 99: Martians"}], **WINDOW)
    refused = CliRunner().invoke(app, ["load", str(one)])
    assert refused.exit_code == 1
    assert f"{one}: not loaded: one.csv: every one of its 1 rows was rejected" in refused.output
    assert query("SELECT count(*) FROM contact") == [(20,)]
    forced = CliRunner().invoke(app, ["load", "--allow-shrink", str(one)])
    assert forced.exit_code == 0, forced.output
    assert query("SELECT count(*) FROM contact") == [(0,)]


def test_a_child_in_several_files_of_one_load_takes_the_last_files_last_row(tmp_path, load, query):
    # The same child (the examples' child ID) in three files of one load; within a file its last row
    # sets the child, and across files the last file that has the child.
    contacts = write_extract(
        tmp_path / "contacts.csv",
        "contacts",
        [{"gender": "M"}, {"gender": "F", "contact_date": "2024-09-01"}],
    )
    referrals = write_extract(tmp_path / "referrals.csv", "referrals", [{"gender": "U"}])
    other_child = write_extract(tmp_path / "s47.csv", "s47", [{"child_id": "SOMEONE-ELSE", "gender": "M"}])
    outcomes = load(contacts, referrals, other_child)
    assert [o.status for o in outcomes] == ["loaded"] * 3
    referrals_load = outcomes[1].load_id
    assert sorted(query("SELECT gender, load_id FROM child")) == [
        ("M", outcomes[2].load_id),
        ("U", referrals_load),
    ]
    # In the other order, the contacts file is the last to have the child.
    outcomes = load(referrals, contacts, force=True)
    assert query("SELECT gender FROM child WHERE load_id = ?", [outcomes[1].load_id]) == [("F",)]


def test_files_are_made_ahead_in_order_and_a_failure_or_an_early_stop_reaches_the_maker():
    from contextlib import closing

    from etl.pipeline import ahead

    made = []

    def files(count, fail_at=None):
        for n in range(count):
            if n == fail_at:
                raise ValueError(f"file {n} is broken")
            made.append(n)
            yield n

    assert list(ahead(files(5))) == [0, 1, 2, 3, 4]

    made.clear()
    taken = []
    with pytest.raises(ValueError, match="file 2 is broken"):
        taken.extend(ahead(files(5, fail_at=2)))
    assert taken == [0, 1]

    made.clear()
    with closing(ahead(files(100))) as items:
        assert next(items) == 0
    # The maker stopped: at most the item taken, one waiting and one being handed over were made.
    assert len(made) <= 3


def test_a_load_asks_threads_to_take_turns_every_half_millisecond_and_sets_the_interval_back(tmp_path, load):
    import sys

    before = sys.getswitchinterval()
    seen = []
    rows = [{"contact_date": "2024-05-01"}]
    extract = write_extract(tmp_path / "contacts.csv", "contacts", rows, **WINDOW)
    outcomes = load(extract, progress=lambda path, step: seen.append(sys.getswitchinterval()))
    assert [o.status for o in outcomes] == ["loaded"]
    assert seen and set(seen) == {0.0005}
    assert sys.getswitchinterval() == before


def test_a_load_that_commits_after_every_file_gives_the_same_warehouse_as_one_that_does_not(
    tmp_path, settings, monkeypatch
):
    # DuckDB keeps the Arrow rows a transaction has read until it ends, so a load commits part way
    # once they pass HELD_ARROW_BYTES (a national load). With no allowance it commits after each file.
    import re
    from datetime import date

    import duckdb

    from etl import pipeline
    from warehouse.settings import Settings

    files = [
        write_extract(tmp_path / f"{la}_{name}.csv", name, rows, la_code=la, **WINDOW)
        for la in ("E08000021", "E08000037")
        for name, rows in (
            ("contacts", [{"contact_date": "2024-05-01"}, {"contact_date": "2024-06-01", "outcome": "REF"}]),
            (
                "referrals",
                [{"referral_date": "2024-05-02"}, {"child_id": "B", "referral_date": "2024-07-01"}],
            ),
            ("cp_plans", [{"start_date": "2024-08-01", "end_date": "", "previous_plans": "0"}]),
        )
    ]
    tables = ("contact", "referral", "cp_plan", "child", "kpi_cube", "kpi_cube_la", "etl_load")

    commits = []
    commit_so_far = pipeline._commit_so_far
    monkeypatch.setattr(pipeline, "_commit_so_far", lambda con: (commits.append(1), commit_so_far(con)))

    def loaded(home, held: int) -> dict[str, list]:
        commits.clear()
        monkeypatch.setattr(pipeline, "HELD_ARROW_BYTES", held)
        home_settings = Settings(home=home)
        outcomes = pipeline.run_load(files, home_settings, today=date(2025, 6, 1))
        assert [o.status for o in outcomes] == ["loaded"] * len(files)
        with duckdb.connect(str(home_settings.warehouse_path), read_only=True) as con:
            # Each warehouse has its own cell-key salt, and a load its own times: compare the rest.
            found = {}
            for table in tables:
                columns = [
                    name
                    for name, *_ in con.execute(f"DESCRIBE {table}").fetchall()
                    if not re.search(r"key_sum|child_key|episode_keys|_at$", name)
                ]
                found[table] = sorted(
                    map(str, con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall())
                )
            return found

    whole = loaded(tmp_path / "one_transaction", 1024**3)
    assert commits == []
    in_parts = loaded(tmp_path / "a_commit_per_file", 0)
    assert len(commits) == len(files)
    assert in_parts == whole
    assert len(whole["contact"]) == 4 and len(whole["kpi_cube_la"]) > 0
