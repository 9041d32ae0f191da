"""The SSDA903 missing file loads as missing episodes of children in care, through the same
staging, validation and load as a native extract."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from etl.pipeline import SourceOptions

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "ssda903"


def _episodes_by_hand() -> tuple[int, int, int]:
    """Rows, missing (M) rows and rows in care on the day they went missing, counted with csv."""
    rows = list(csv.DictReader(io.StringIO((SAMPLE / "missing.csv").read_text())))
    spells = [
        (
            r["CHILD"],
            datetime.strptime(r["DECOM"], "%d/%m/%Y").date(),
            datetime.strptime(r["DEC"], "%d/%m/%Y").date() if r["DEC"] else None,
        )
        for r in csv.DictReader(io.StringIO((SAMPLE / "episodes.csv").read_text()))
        if r["DECOM"]
    ]
    in_care = 0
    for row in rows:
        start = datetime.strptime(row["MIS_START"], "%d/%m/%Y").date()
        in_care += any(c == row["CHILD"] and s <= start and (e is None or e >= start) for c, s, e in spells)
    return len(rows), sum(r["MISSING"] == "M" for r in rows), in_care


def test_the_sample_return_loads_every_episode(load, query):
    rows, missing, in_care = _episodes_by_hand()
    assert rows == 43  # the sample's 44 lines less the header
    [outcome] = load(SAMPLE / "missing.csv", source=SourceOptions("ssda903", la_code="E08000021"))
    assert (outcome.status, outcome.rows_loaded, outcome.rejections) == ("loaded", rows, [])
    # episodes start from 9 March 2017 (2016/17) to 18 February 2018 (2017/18): both years are covered
    assert (outcome.coverage_start, outcome.coverage_end) == (date(2016, 4, 1), date(2018, 3, 31))
    assert query(
        "SELECT count(*), count(*) FILTER (missing_type = 'M'), count(*) FILTER (is_in_care) "
        "FROM missing_episode"
    ) == [(rows, missing, in_care)]
    assert query("SELECT DISTINCT source_format FROM etl_load") == [("ssda903",)]
    # the episode's ID is built from the child's ID and is hashed like it
    children = {r["CHILD"] for r in csv.DictReader(io.StringIO((SAMPLE / "missing.csv").read_text()))}
    stored = {value for row in query("SELECT episode_id, child_id FROM missing_episode") for value in row}
    assert not any(child in value for child in children for value in stored)


def test_the_return_is_told_from_its_header_without_naming_the_format(load):
    [outcome] = load(SAMPLE / "missing.csv", source=SourceOptions(la_code="E08000021"))
    assert (outcome.source_format, outcome.dataset, outcome.rows_loaded) == (
        "ssda903",
        "missing_episodes",
        43,
    )


def test_an_ssda903_return_needs_its_la_named(load):
    [outcome] = load(SAMPLE / "missing.csv", source=SourceOptions("ssda903"))
    assert outcome.status == "failed" and "name it with --la" in outcome.message


def test_the_cli_loads_a_return_with_its_la(settings, monkeypatch):
    from typer.testing import CliRunner

    from etl.cli import app

    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(
        app, ["load", "--format", "ssda903", "--la", "E08000021", str(SAMPLE / "missing.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "missing_episodes" in result.output and "43" in result.output


# --- companions: only the DfE's names beside the file, or named; the load says which -----------

MISSING = (
    "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
    "A1,01/03/2010,M,10/06/2024,11/06/2024\n"  # in care from 01/01/2024, open: in care
    "B2,01/03/2011,M,10/07/2024,11/07/2024\n"  # in care until 30/06/2024: not in care by then
    "C3,01/03/2012,A,10/08/2024,11/08/2024\n"  # no episodes at all: not known
    "A1,01/03/2010,A,10/09/2024,\n"
)
EPISODES = "CHILD,DECOM,RNE,LS,DEC\nA1,01/01/2024,S,C2,\nB2,01/01/2023,S,C2,30/06/2024\n"
HEADER = "CHILD,SEX,DOB,ETHNIC\nA1,1,01/03/2010,WBRI\nB2,2,01/03/2011,WBRI\nC3,1,01/03/2012,WBRI\n"
CITY = "E08000021"


def _expected_flags(missing: str, episodes: str | None) -> list[str]:
    """Y, N or U per row of the missing file, worked out with csv: U where the episodes file has no
    episode for the child, Y without an episodes file at all."""
    rows = list(csv.DictReader(io.StringIO(missing)))
    if episodes is None:
        return ["Y"] * len(rows)
    day = lambda text: datetime.strptime(text, "%d/%m/%Y").date()
    spells = [
        (e["CHILD"], day(e["DECOM"]), day(e["DEC"]) if e["DEC"] else None)
        for e in csv.DictReader(io.StringIO(episodes))
    ]
    flags = []
    for row in rows:
        mine = [(s, e) for c, s, e in spells if c == row["CHILD"]]
        start = day(row["MIS_START"])
        flags.append(
            "U"
            if not mine
            else "Y"
            if any(s <= start and (e is None or e >= start) for s, e in mine)
            else "N"
        )
    return flags


def _split(query) -> list[tuple]:
    """(in care, not in care, not known) episodes in the warehouse, and the labels the events carry."""
    counts = query(
        "SELECT count(*) FILTER (is_in_care), count(*) FILTER (NOT is_in_care), "
        "count(*) FILTER (is_in_care IS NULL) FROM missing_episode"
    )[0]
    labels = query(
        "SELECT in_care, count(*) FROM kpi_events(['E08000021'], DATE '2024-04-01', DATE '2025-03-31') "
        "WHERE measure = 'missing_episodes' GROUP BY in_care ORDER BY in_care"
    )
    return [counts, labels]


def _return(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder / "missing.csv"


def test_an_episodes_file_beside_it_by_its_dfe_name_sets_in_care_and_a_child_it_lacks_is_not_known(
    tmp_path, load, query
):
    flags = _expected_flags(MISSING, EPISODES)
    assert flags == ["Y", "N", "U", "Y"]
    path = _return(
        tmp_path / "return", {"missing.csv": MISSING, "episodes.csv": EPISODES, "header.csv": HEADER}
    )
    [outcome] = load(path, source=SourceOptions(la_code=CITY))
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 4)
    assert outcome.notes == [
        "used the header file header.csv beside it",
        (
            "used the episodes file episodes.csv beside it for who was in care; 1 children it has "
            "no episodes for are in care 'not known'"
        ),
    ]
    assert _split(query) == [
        (flags.count("Y"), flags.count("N"), flags.count("U")),
        [("In care", 2), ("Not in care", 1), ("Not known", 1)],
    ]
    assert query("SELECT count(*) FROM child WHERE gender IN ('M', 'F')") == [(3,)]


@pytest.mark.parametrize(
    "strays",
    [
        {"episodes_old.csv": EPISODES},
        {"header_2019.csv": HEADER, "old-episodes.csv": EPISODES},
        {"episodes.csv.bak": EPISODES},
        {"my episodes.csv": EPISODES, "headers.csv": HEADER},
    ],
)
def test_files_whose_names_only_contain_header_or_episodes_are_not_used(strays, tmp_path, load, query):
    plain = _return(tmp_path / "plain", {"missing.csv": MISSING})
    beside = _return(tmp_path / "strays", {"missing.csv": MISSING, **strays})
    [alone] = load(plain, source=SourceOptions(la_code=CITY))
    split_alone = _split(query)
    [outcome] = load(beside, source=SourceOptions(la_code=CITY), force=True)
    assert outcome.status == "loaded" and _split(query) == split_alone
    rows = len(_expected_flags(MISSING, None))
    assert split_alone == [(rows, 0, 0), [("In care", rows)]]
    assert (
        outcome.notes
        == alone.notes
        == [
            "no header file (header.csv beside it, or --header-file): sex and ethnicity are blank",
            (
                "no episodes file (episodes.csv beside it, or --episodes-file): every child in the return is counted as "
                "in care when missing"
            ),
        ]
    )


def test_companions_named_on_the_command_line_are_used_wherever_they_are(
    tmp_path, load, query, settings, monkeypatch
):
    from typer.testing import CliRunner

    from etl.cli import app

    path = _return(tmp_path / "return", {"missing.csv": MISSING})
    elsewhere = _return(tmp_path / "companions", {"ep_2024.csv": EPISODES, "hdr_2024.csv": HEADER}).parent
    monkeypatch.setenv("COLUMNS", "300")
    result = CliRunner().invoke(
        app,
        [
            "load",
            "--la",
            CITY,
            "--episodes-file",
            str(elsewhere / "ep_2024.csv"),
            "--header-file",
            str(elsewhere / "hdr_2024.csv"),
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        f"missing.csv: used the episodes file {elsewhere / 'ep_2024.csv'} (named with --episodes-file) for who "
        "was in care; 1 children it has no episodes for are in care 'not known'" in result.output
    )
    assert (
        f"missing.csv: used the header file {elsewhere / 'hdr_2024.csv'} (named with --header-file)"
        in result.output
    )
    flags = _expected_flags(MISSING, EPISODES)
    assert _split(query)[0] == (flags.count("Y"), flags.count("N"), flags.count("U"))


def test_an_upper_case_dfe_name_is_the_dfe_name(tmp_path, load, query):
    path = _return(tmp_path / "return", {"missing.csv": MISSING, "Episodes.CSV": EPISODES})
    [outcome] = load(path, source=SourceOptions(la_code=CITY))
    assert "used the episodes file Episodes.CSV beside it" in outcome.notes[1]
    assert _split(query)[0] == (2, 1, 1)


def test_a_native_extract_may_say_in_care_is_not_known(tmp_path, load, query):
    from tests.helpers import write_extract

    rows = [
        {"episode_id": f"E{i}", "in_care": flag} for i, flag in enumerate(["Y", "N", "U", "not known", "yes"])
    ]
    [outcome] = load(write_extract(tmp_path / "missing.csv", "missing_episodes", rows))
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 5)
    assert query(
        "SELECT count(*) FILTER (is_in_care), count(*) FILTER (NOT is_in_care), "
        "count(*) FILTER (is_in_care IS NULL) FROM missing_episode"
    ) == [(2, 1, 2)]


# --- structure: MIS_START named, header-only returns, line numbers -------------------------------


@pytest.mark.parametrize(
    "header, absent",
    [
        ("CHILD,DOB,MISSING,MIS_END", "MIS_START"),
        ("CHILD,DOB,MIS_START,MIS_END", "MISSING"),
        ("CHILD,MIS_END", "MISSING, MIS_START"),
        ("child,dob,missing,mis_end", "MIS_START"),
    ],
)
def test_a_missing_file_lacking_a_column_names_it_without_format(header, absent, tmp_path, load):
    path = tmp_path / "missing.csv"
    path.write_text(header + "\n" + ",".join("x" for _ in header.split(",")) + "\n", encoding="utf-8")
    [outcome] = load(path, source=SourceOptions(la_code=CITY))
    assert outcome.status == "failed"
    assert outcome.message.startswith(f"missing required columns for an SSDA903 missing file: {absent}.")


@pytest.mark.parametrize("body", ["", "\n\n", ",,,,\n,,,,\n", "\r\n,,,,\r\n"])
def test_a_header_only_return_loads_nothing_with_a_note_and_keeps_what_was_loaded(
    body, tmp_path, load, query
):
    load(_return(tmp_path / "first", {"missing.csv": MISSING}), source=SourceOptions(la_code=CITY))
    before = query("SELECT count(*) FROM missing_episode")
    empty = _return(tmp_path / "empty", {"missing.csv": "CHILD,DOB,MISSING,MIS_START,MIS_END\n" + body})
    [outcome] = load(empty, source=SourceOptions(la_code=CITY))
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded) == ("loaded", 0, 0)
    assert outcome.notes == [
        "the file has a header but no rows: nothing was loaded, and nothing the warehouse holds was replaced"
    ]
    assert query("SELECT count(*) FROM missing_episode") == before == [(len(_expected_flags(MISSING, None)),)]
    assert query("SELECT status, message FROM etl_load ORDER BY load_id DESC LIMIT 1") == [
        ("loaded", outcome.notes[0])
    ]


def test_rejections_give_the_line_an_editor_shows_and_comma_lines_are_skipped(tmp_path, load):
    text = (
        "CHILD,DOB,MISSING,MIS_START,MIS_END\r\n"
        "\r\n"
        "A1,01/03/2010,M,10/06/2024,11/06/2024\r\n"
        ",,,,\r\n"
        "\r\n"
        "BAD1,01/03/2010,X,10/06/2024,11/06/2024\r\n"
        '"B2",01/03/2011,M,"10/07/2024",11/07/2024\r\n'
        ",,,,\r\n"
        "BAD2,01/03/2010,M,not a date,\r\n"
    )
    path = _return(tmp_path / "return", {"missing.csv": text})
    [outcome] = load(path, source=SourceOptions(la_code=CITY))
    lines = text.split("\r\n")
    expected = [
        (lines.index(line) + 1, field)
        for line, field in (
            (next(x for x in lines if x.startswith("BAD1")), "MISSING"),
            (next(x for x in lines if x.startswith("BAD2")), "MIS_START"),
        )
    ]
    assert (
        [(r.row_number, r.field) for r in outcome.rejections]
        == expected
        == [(6, "MISSING"), (9, "MIS_START")]
    )
    data_rows = [x for x in lines[1:] if x.strip(",")]
    assert (outcome.rows_read, outcome.rows_loaded) == (len(data_rows), len(data_rows) - 2) == (4, 2)
