"""Loading end to end: idempotent, replacing by LA and window, private, and atomic."""

from __future__ import annotations

import hashlib

from tests.helpers import write_extract


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
        write_extract(tmp_path / "april.csv", "contacts", [{"contact_date": "2024-04-02"}, {"contact_date": "2024-04-03"}], **april),
        write_extract(tmp_path / "may.csv", "contacts", [{"contact_id": "M1", "contact_date": "2024-05-02"}], **may),
        write_extract(tmp_path / "county.csv", "contacts", [{"contact_date": "2024-04-02"}], la_code="E06000057", **april),
    )
    # A corrected April extract: one contact deleted at source, one outcome changed.
    [outcome] = load(write_extract(tmp_path / "april_v2.csv", "contacts", [{"contact_date": "2024-04-02", "outcome": "NFA"}], **april))
    assert outcome.rows_replaced == 2
    assert query("SELECT la_code, contact_id, contact_date::VARCHAR, outcome FROM contact ORDER BY la_code, contact_id") == [
        ("E06000057", "CO1", "2024-04-02", "REF"),
        ("E08000021", "CO1", "2024-04-02", "NFA"),
        ("E08000021", "M1", "2024-05-02", "REF"),
    ]


def test_open_records_from_before_the_window_are_updated_not_duplicated(tmp_path, load, query):
    load(write_extract(tmp_path / "plans_2023.csv", "cp_plans", [{"start_date": "2023-10-01", "end_date": ""}],
                       coverage_start="2023-04-01", coverage_end="2024-03-31"))
    load(write_extract(tmp_path / "plans_2024.csv", "cp_plans", [{"start_date": "2023-10-01", "end_date": "2024-05-01"}]))
    assert query("SELECT cp_plan_id, start_date::VARCHAR, end_date::VARCHAR FROM cp_plan") == [
        ("CP1", "2023-10-01", "2024-05-01")
    ]


def test_staging_keeps_no_personal_detail(tmp_path, load, query):
    path = write_extract(tmp_path / "contacts.csv", "contacts",
                         [{"child_id": " LCS0012345 ", "date_of_birth": "19/07/2014", "postcode": "ne4 6su"}])
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


def test_codes_with_labels_and_cp1252_text_load(tmp_path, load, query):
    path = write_extract(tmp_path / "contacts.csv", "contacts", [
        {"source": "q) 6: Police", "gender": "b) Female", "outcome": "Referral", "area_code": "Hexham Café"},
        {"source": "2A", "gender": "1", "outcome": "early help", "ethnicity": "wbri"},
    ])
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    [outcome] = load(path)
    assert outcome.status == "loaded"
    assert query("SELECT source, outcome, area_code FROM contact ORDER BY contact_id") == [
        ("6", "REF", "Hexham Café"), ("2A", "EH", "NCL-E")
    ]
    assert sorted(query("SELECT gender, ethnicity FROM child")) == [("M", "WBRI")]  # the latest row of the child


def test_every_load_is_audited(tmp_path, load, query):
    path = write_extract(tmp_path / "contacts.csv", "contacts", [{}, {"source": "ZZ"}])
    load(path, synthetic=True)
    [(name, sha, dataset, la, window, counts, status, synthetic)] = query(
        "SELECT file_name, file_sha256, dataset, la_code, [coverage_start::VARCHAR, coverage_end::VARCHAR], "
        "[rows_read, rows_loaded, rows_rejected], status, is_synthetic FROM etl_load")
    assert (name, dataset, la, window, counts, status, synthetic) == (
        "contacts.csv", "contacts", "E08000021", ["2024-04-01", "2025-03-31"], [2, 1, 1], "loaded_with_rejections", True)
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()


def test_areas_file_names_the_areas(tmp_path, load, query):
    areas = tmp_path / "areas.csv"
    areas.write_text("la_code,area_code,area_name\nE08000021,NCL-E,East\nE08000021,NCL-W,West\n")
    load(areas, write_extract(tmp_path / "contacts.csv", "contacts", [{"area_code": "NCL-X"}]))
    assert query("SELECT area_code, area_name FROM area ORDER BY area_code") == [
        ("NCL-E", "East"), ("NCL-W", "West"), ("NCL-X", "NCL-X")
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
    counts = ("SELECT (SELECT count(*) FROM contact), (SELECT count(*) FROM referral), (SELECT count(*) FROM s47_enquiry), "
              "(SELECT count(*) FROM cp_plan), (SELECT count(*) FROM missing_episode), (SELECT count(*) FROM child), "
              "(SELECT count(*) FROM area), (SELECT sum(n) FROM kpi_cube)")
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
