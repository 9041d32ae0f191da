"""Derived flags on hand-worked cases (warehouse/transforms)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import write_extract
from warehouse.db import _kpi_cube_query

FY = {"coverage_start": "2023-04-01", "coverage_end": "2025-03-31"}


def test_rereferral_within_12_months_counts_the_day_exactly_12_months_on(tmp_path, load, query):
    rows = [
        {"child_id": "A", "referral_date": "2023-05-01"},
        {"child_id": "A", "referral_date": "2024-05-01"},  # exactly 12 months later: a re-referral
        {"child_id": "B", "referral_date": "2023-05-01"},
        {"child_id": "B", "referral_date": "2024-05-02"},  # 12 months and a day: not
        {"child_id": "C", "referral_date": "2024-06-01"},
        {"child_id": "C", "referral_date": "2024-06-01"},  # the same day twice, under two IDs: neither is
    ]
    load(write_extract(tmp_path / "referrals.csv", "referrals", rows, **FY))
    assert query("SELECT referral_id, is_rereferral_12m FROM referral ORDER BY referral_id") == [
        ("RE1", False),
        ("RE2", True),
        ("RE3", False),
        ("RE4", False),
        ("RE5", False),
        ("RE6", False),
    ]


def test_rereferral_sees_referrals_from_an_earlier_load(tmp_path, load, query):
    load(
        write_extract(
            tmp_path / "a.csv",
            "referrals",
            [{"child_id": "A", "referral_date": "2023-12-01"}],
            coverage_start="2023-04-01",
            coverage_end="2024-03-31",
        )
    )
    load(
        write_extract(
            tmp_path / "b.csv",
            "referrals",
            [{"referral_id": "X", "child_id": "A", "referral_date": "2024-06-01"}],
            coverage_start="2024-04-01",
            coverage_end="2025-03-31",
        )
    )
    assert query("SELECT referral_id, is_rereferral_12m FROM referral ORDER BY referral_date") == [
        ("RE1", False),
        ("X", True),
    ]


def test_icpc_working_days_skip_weekends_and_the_spring_bank_holiday(tmp_path, load, query):
    # S47 starts Monday 20 May 2024; 27 May is a bank holiday. Counting working days after the
    # start: 21-24 May are 1-4, 28-31 May 5-8, 3-7 June 9-13, 10 June 14, 11 June 15, 12 June 16.
    rows = [
        {"start_date": "2024-05-20", "end_date": "2024-06-11", "icpc_date": "2024-06-11"},
        {"start_date": "2024-05-20", "end_date": "2024-06-12", "icpc_date": "2024-06-12"},
        {"start_date": "2024-05-20", "end_date": "2024-05-24", "icpc_date": "", "outcome": "NFA"},
    ]
    load(write_extract(tmp_path / "s47.csv", "s47", rows, **FY))
    assert query("SELECT s47_id, icpc_working_days FROM s47_enquiry ORDER BY s47_id") == [
        ("S41", 15),
        ("S42", 16),
        ("S43", None),
    ]


def test_repeat_plan_from_the_stated_count_of_previous_plans_else_an_earlier_day_plan(tmp_path, load, query):
    rows = [
        {"child_id": "A", "start_date": "2023-06-01", "end_date": "2023-12-01", "previous_plans": "0"},
        {
            "child_id": "A",
            "start_date": "2024-09-01",
            "end_date": "",
            "previous_plans": "",
        },  # second plan, another year
        {"child_id": "B", "start_date": "2024-01-01", "end_date": "", "previous_plans": "2"},
        {"child_id": "C", "start_date": "2024-01-01", "end_date": "", "previous_plans": ""},
        {"child_id": "D", "start_date": "2024-02-01", "end_date": "", "previous_plans": ""},
        {
            "child_id": "D",
            "start_date": "2024-02-01",
            "end_date": "",
            "previous_plans": "",
        },  # same day: neither
        {"child_id": "E", "start_date": "2023-05-01", "end_date": "2023-09-01", "previous_plans": ""},
        {"child_id": "E", "start_date": "2024-03-01", "end_date": "", "previous_plans": "0"},  # stated 0: not
    ]
    load(write_extract(tmp_path / "plans.csv", "cp_plans", rows, **FY))
    assert query("SELECT cp_plan_id, is_repeat_plan FROM cp_plan ORDER BY cp_plan_id") == [
        ("CP1", False),
        ("CP2", True),
        ("CP3", True),
        ("CP4", False),
        ("CP5", False),
        ("CP6", False),
        ("CP7", False),
        ("CP8", False),
    ]


# The cubes are made one LA at a time, every dataset's kpi_cube rows in one insert of their
# queries' union (warehouse/db.py run_transforms).


def test_a_kpi_cube_insert_gives_its_query_after_its_comments_and_nothing_else_does():
    statement = "-- Contacts: the agency is the source's.\n-- Two lines.\nINSERT INTO kpi_cube BY NAME\nSELECT 1 AS n;"
    assert _kpi_cube_query(statement) == "SELECT 1 AS n"
    assert _kpi_cube_query("DELETE FROM kpi_cube WHERE list_contains($la_codes, la_code);") is None
    assert _kpi_cube_query("INSERT INTO missing_child_month BY NAME SELECT 1") is None


def test_each_las_open_plans_run_to_the_last_month_its_own_loads_cover(tmp_path, load, query):
    # One load of two LAs, each with one plan started 10 January 2025 and still open: Newcastle's
    # extract covers to March 2025, Gateshead's to June. Open at the end of January, February and
    # March in both; April to June in Gateshead alone. One start each, in January, counted once.
    files = [
        write_extract(
            tmp_path / f"{la}_cp_plans.csv",
            "cp_plans",
            [{"child_id": "A", "start_date": "2025-01-10", "end_date": "", "previous_plans": "0"}],
            la_code=la,
            coverage_start="2024-04-01",
            coverage_end=end,
        )
        for la, end in (("E08000021", "2025-03-31"), ("E08000037", "2025-06-30"))
    ]
    assert [o.status for o in load(*files)] == ["loaded", "loaded"]
    monthly = "SELECT la_code, strftime(month, '%Y-%m'), sum(n), count(*) FROM kpi_cube WHERE measure = ? GROUP BY ALL ORDER BY ALL"
    assert query(monthly, ["cp_open"]) == [
        *[("E08000021", f"2025-0{m}", 1, 1) for m in (1, 2, 3)],
        *[("E08000037", f"2025-0{m}", 1, 1) for m in (1, 2, 3, 4, 5, 6)],
    ]
    assert query(monthly, ["cp_started"]) == [("E08000021", "2025-01", 1, 1), ("E08000037", "2025-01", 1, 1)]


def test_the_children_missing_in_each_window_count_each_child_once(tmp_path, load, query):
    # X goes missing in June and twice in July 2024, Y once in July: by the months each window holds.
    def episode(child: str, day: str) -> dict[str, str]:
        return {
            "child_id": child,
            "start_datetime": f"{day} 10:00",
            "end_datetime": f"{day} 20:00",
            "in_care": "N",
            "rhi_offered_datetime": "",
            "rhi_accepted": "",
        }

    rows = [
        episode("X", "2024-06-03"),
        episode("X", "2024-07-01"),
        episode("X", "2024-07-20"),
        episode("Y", "2024-07-09"),
    ]
    load(write_extract(tmp_path / "missing.csv", "missing_episodes", rows, **FY))
    windows = query(
        "SELECT months, strftime(first_month, '%Y-%m'), strftime(last_month, '%Y-%m'), missing_children, "
        "missing_children_repeat, missing_child_episodes FROM missing_children_window_la "
        "WHERE la_code = 'E08000021' ORDER BY months, last_month"
    )
    by_window = {(months, first, last): counts for months, first, last, *counts in windows}
    assert by_window[(1, "2024-06", "2024-06")] == [1, 0, 1]  # X once
    assert by_window[(1, "2024-07", "2024-07")] == [2, 1, 3]  # X twice, Y once
    assert by_window[(3, "2024-05", "2024-07")] == [2, 1, 4]  # X three times, Y once
    assert by_window[(3, "2024-07", "2024-09")] == [2, 1, 3]  # July alone
    assert by_window[(3, "2024-06", "2024-08")] == [2, 1, 4]
    assert by_window[(12, "2024-04", "2025-03")] == [2, 1, 4]  # the financial year
    assert (1, "2024-08", "2024-08") not in by_window  # nobody missing: no row
    # Every window of 1, 3, 6 and 12 months that holds June or July 2024: 2, 4, 7 and 13 of them.
    assert [sum(1 for w in by_window if w[0] == months) for months in (1, 3, 6, 12)] == [2, 4, 7, 13]


def test_the_all_la_cube_stays_the_detailed_cube_summed_as_las_are_loaded_again(tmp_path, load, query):
    def referrals(name: str, la_code: str, dates: list[str]) -> Path:
        rows = [{"child_id": f"C{i}", "referral_date": day, "source": "5A"} for i, day in enumerate(dates)]
        return write_extract(tmp_path / name, "referrals", rows, la_code=la_code, **FY)

    summed = (
        "SELECT measure, strftime(month, '%Y-%m'), agency, sum(n) FROM {} "
        "WHERE measure = 'referrals' GROUP BY ALL HAVING sum(n) <> 0 ORDER BY ALL"
    )
    load(referrals("a.csv", "E08000021", ["2024-05-01", "2024-05-20", "2024-06-03"]))
    load(referrals("b.csv", "E06000057", ["2024-05-09"]))
    # Newcastle sends its extract again: one May referral fewer, two in July.
    load(referrals("a2.csv", "E08000021", ["2024-05-01", "2024-07-01", "2024-07-02"]))
    assert query(summed.format("kpi_cube_all")) == query(summed.format("kpi_cube"))
    assert query(summed.format("kpi_cube_all")) == [
        ("referrals", "2024-05", "Local authority", 2),  # Newcastle's one and Northumberland's one
        ("referrals", "2024-07", "Local authority", 2),
    ]
    # Each of these loads grew the all-LA cube by more than a quarter, so summed its rows again: one row
    # per cell, none of nothing.
    assert query("SELECT count(*) FROM kpi_cube_all WHERE n = 0 AND key_sum = 0") == [(0,)]
    assert query(
        "SELECT count(*) = count(DISTINCT (month, measure, agency, age_band, gender)) FROM kpi_cube_all"
    ) == [(True,)]


def test_a_first_las_all_la_cube_rows_are_summed_as_they_are_added(tmp_path, load, query):
    # Two May referrals from the LA's social care and one from an individual: two cells.
    rows = [
        {"child_id": "C1", "referral_date": "2024-05-01", "source": "5A"},
        {"child_id": "C2", "referral_date": "2024-05-20", "source": "5A"},
        {"child_id": "C3", "referral_date": "2024-05-21", "source": "1B"},
    ]
    load(write_extract(tmp_path / "a.csv", "referrals", rows, **FY))
    cells = query(
        "SELECT count(*), count(DISTINCT (month, measure, agency, age_band, gender, ethnicity, disability)) "
        "FROM kpi_cube_all"
    )
    assert cells[0][0] == cells[0][1]  # one row per cell, as summing again would leave it
    assert query("SELECT value FROM meta WHERE key = 'kpi_cube_all_summed_rows'") == [(str(cells[0][0]),)]
    assert query("SELECT agency, n FROM kpi_cube_all WHERE measure = 'referrals' ORDER BY agency") == [
        ("Individual", 1),
        ("Local authority", 2),
    ]


def test_an_las_cube_rebuilt_holds_what_a_first_load_of_the_same_records_makes(
    tmp_path, settings, load, query
):
    from datetime import date

    import duckdb

    from etl.pipeline import run_load
    from tests.helpers import TODAY
    from warehouse.settings import Settings

    def referrals(name: str, days: list[str], source: str = "5A") -> Path:
        rows = [{"child_id": f"C{i}", "referral_date": day, "source": source} for i, day in enumerate(days)]
        return write_extract(tmp_path / name, "referrals", rows, **FY)

    load(referrals("a.csv", ["2024-05-01", "2024-05-20", "2024-06-03", "2024-07-09"]))
    # Sent again: May's second referral gone, June's from another source, a child added in August.
    again = referrals("b.csv", ["2024-05-01", "2024-06-03", "2024-07-09", "2024-08-12"], source="1B")
    load(again)
    cube = "SELECT * EXCLUDE (key_sum) FROM kpi_cube ORDER BY ALL"  # the keys' salt is each warehouse's own
    other = Settings(home=tmp_path / "other")
    run_load([again], other, today=date.fromisoformat(TODAY))
    with duckdb.connect(str(other.warehouse_path), read_only=True) as con:
        first_load = con.execute(cube).fetchall()
    assert query(cube) == first_load
    assert query("SELECT count(*) FROM kpi_cube WHERE measure = 'referrals'") == [(4,)]  # a row a month
    # Each row is a cell, once: what the rebuild's comparison of rows as sets relies on.
    assert query("SELECT count(*) = count(DISTINCT c) FROM kpi_cube AS c") == [(True,)]


def test_the_all_la_cube_is_summed_again_once_its_rows_have_grown_by_a_quarter():
    import duckdb

    from warehouse.db import _sum_all_la_cube, get_meta, set_meta

    con = duckdb.connect()
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("CREATE TABLE kpi_cube_all (month DATE, measure VARCHAR, n BIGINT, key_sum BIGINT)")
    # 100 cells summed; then a rebuilt LA took 1 off each of 10 and put it back (20 rows more).
    con.execute(
        "INSERT INTO kpi_cube_all SELECT DATE '2024-04-01' + CAST(i AS INTEGER), 'm', 3, 7 FROM range(100) AS t(i)"
    )
    set_meta(con, kpi_cube_all_summed_rows="100")
    con.execute(
        "INSERT INTO kpi_cube_all SELECT DATE '2024-04-01' + CAST(i AS INTEGER), 'm', -1, -2 FROM range(10) AS t(i)"
    )
    con.execute(
        "INSERT INTO kpi_cube_all SELECT DATE '2024-04-01' + CAST(i AS INTEGER), 'm', 1, 2 FROM range(10) AS t(i)"
    )
    _sum_all_la_cube(con)
    assert con.execute("SELECT count(*), sum(n) FROM kpi_cube_all").fetchone() == (120, 300)  # 20% more: kept
    # Five cells gone for good (taken off, nothing put back): 125 rows, a quarter more, still kept.
    con.execute(
        "INSERT INTO kpi_cube_all SELECT DATE '2024-04-01' + CAST(i AS INTEGER), 'm', -3, -7 FROM range(95, 100) AS t(i)"
    )
    _sum_all_la_cube(con)
    assert con.execute("SELECT count(*) FROM kpi_cube_all").fetchone() == (125,)
    con.execute("INSERT INTO kpi_cube_all VALUES (DATE '2024-04-01', 'm', 1, 1)")  # 126: summed again
    _sum_all_la_cube(con)
    assert con.execute("SELECT count(*), sum(n), sum(key_sum) FROM kpi_cube_all").fetchone() == (95, 286, 666)
    assert get_meta(con)["kpi_cube_all_summed_rows"] == "95"


def test_each_row_of_the_demo_cubes_is_a_cell_of_its_own(demo_home):
    """Every dataset's cube rows, the model's own among them: a rebuild compares an LA's rows as sets."""
    import duckdb

    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        rows, cells = con.execute("SELECT count(*), count(DISTINCT c) FROM kpi_cube AS c").fetchone()
    assert rows > 100_000
    assert rows == cells
