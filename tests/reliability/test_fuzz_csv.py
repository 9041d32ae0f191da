"""Property-based fuzzing of the file readers: arbitrary bytes, arbitrary text, and structurally valid
headers with arbitrary cells. Whatever the file, a load never raises: it loads the file, with each
rejected row named by its row and field, or refuses it with a message; and a refused file changes
nothing the warehouse already held.

Every file goes in through the format detection of a real load, so the bytes reach each reader:
CSV (native, areas, SSDA903), the Annex A workbook (a zip) and the CIN census (XML).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from etl.pipeline import SUCCESS, FileOutcome, SourceOptions, file_sha256, prepare, run_load
from etl.readers.areas_csv import AREA_COLUMNS
from tests.app.serving import copy_home
from tests.helpers import TODAY
from tests.reliability.baseline import CITY, TEST_KEY
from tests.reliability.corpus import every_case
from tests.reliability.known_bugs import KNOWN_CRASHES, known_crash
from tests.reliability.modes import fuzz_settings
from tests.reliability.warehouse_state import fingerprint, latest_load_id, loads_after, without_audit
from warehouse.model.files import active_model
from warehouse.settings import Settings, pseudonymisation_key

pytestmark = pytest.mark.reliability

LOAD_DAY = date.fromisoformat(TODAY)
KEY = TEST_KEY.encode("utf-8")
SOURCE = SourceOptions(la_code=CITY)  # what a return without an LA code needs; native files ignore it
STATUSES = {*SUCCESS, "failed", "unchanged"}
DATASETS = active_model().datasets

# --- what the fuzzers write --------------------------------------------------------------------

SSDA903_EXAMPLE = {
    "CHILD": "C1",
    "DOB": "01/03/2010",
    "MISSING": "M",
    "MIS_START": "01/06/2024",
    "MIS_END": "",
}
AREAS_EXAMPLE = {"la_code": CITY, "area_code": "NCL-E", "area_name": "East"}
# Each layout's columns with a value that passes, for the cells the fuzzer leaves alone.
LAYOUTS: dict[str, dict[str, str]] = {
    **{name: {c.name: c.example for c in spec.columns} for name, spec in DATASETS.items()},
    "ssda903": SSDA903_EXAMPLE,
    "areas": dict(zip(AREA_COLUMNS, AREAS_EXAMPLE.values())),
}
FILE_COLUMNS = ("la_code", "coverage_start", "coverage_end")  # one value a file, so it is drawn once

# First bytes that send a file to each reader (docs/extract-formats.md, "the format is told from the file").
READER_PREFIXES = (
    b"",
    b"\xef\xbb\xbf",
    b"PK\x03\x04",
    b"<Message><Header><CollectionDetails><Collection>CIN</Collection>",
    b"la_code,coverage_start,coverage_end,contact_id,child_id,contact_date,source\n",
    b"CHILD,DOB,MISSING,MIS_START,MIS_END\n",
    b"la_code,area_code,area_name\n",
)

datelike = st.one_of(
    st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(date.isoformat),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
)


def _cell(example: str):
    return st.one_of(st.just(example), st.just(""), st.text(max_size=25), datelike)


def _file_value(example: str):
    """Mostly the example, so that most files pass the file checks and their rows are judged."""
    return st.one_of(st.just(example), st.just(example), st.just(example), _cell(example))


@st.composite
def structured_files(draw) -> bytes:
    """A layout's header, in any order, over rows whose cells are anything at all; the file-wide
    columns hold one drawn value, as a real extract does, so that rows get past the file checks."""
    layout = LAYOUTS[draw(st.sampled_from(sorted(LAYOUTS)))]
    header = draw(st.permutations(list(layout)))
    fixed = {c: draw(_file_value(layout[c])) for c in FILE_COLUMNS if c in layout}
    rows = draw(
        st.lists(
            st.fixed_dictionaries({c: _cell(layout[c]) for c in header if c not in fixed}),
            min_size=1,
            max_size=6,
        )
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(row | fixed for row in rows)
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


arbitrary_bytes = st.builds(
    lambda prefix, rest: prefix + rest, st.sampled_from(READER_PREFIXES), st.binary(max_size=300)
)
arbitrary_text = st.text(max_size=400).map(lambda text: text.encode("utf-8"))
# Half of the loads are of valid headers: a refusal costs as much as a load, and a load has more to check.
any_file = st.one_of(arbitrary_bytes, arbitrary_text, structured_files(), structured_files())

# --- what every outcome must be -------------------------------------------------------------------


def _physical_lines(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") + 1


def assert_well_formed(outcome: FileOutcome, data: bytes) -> None:
    """A refusal with a message, or a load whose every rejected row is named by its row and field."""
    assert outcome.status in STATUSES
    event(f"{outcome.source_format}: {outcome.status}")  # --hypothesis-show-statistics: what the fuzz reached
    if outcome.status == "failed":
        assert isinstance(outcome.message, str) and outcome.message.strip(), outcome
        assert outcome.rows_loaded == 0
        return
    if outcome.status == "unchanged":
        return
    assert outcome.rows_loaded + outcome.rows_rejected == outcome.rows_read
    assert (outcome.status == "loaded_with_rejections") == (outcome.rows_rejected > 0)
    for rejection in outcome.rejections:
        assert 2 <= rejection.row_number <= _physical_lines(data) + 1, rejection
        assert rejection.message.strip()
        if rejection.field != "(row)":  # a rule's message starts with the field it judges
            assert rejection.message.startswith(rejection.field), rejection


def _write(folder: Path, data: bytes) -> Path:
    path = folder / "extract.csv"
    path.write_bytes(data)
    return path


def _prepared(path: Path) -> list[FileOutcome]:
    """What the load would make of the file, without publishing (a few milliseconds a file)."""
    try:
        return prepare(path, file_sha256(path), KEY, LOAD_DAY, source=SOURCE)
    except Exception as error:
        assume(known_crash(error) is None)  # pinned by a failing corpus case: look for new ones
        raise


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """Where each fuzzed file is written (module-wide: hypothesis runs many examples a test)."""
    return tmp_path_factory.mktemp("fuzzed")


# --- reading: never a crash, always a message (cheap, so many examples) ---------------------------


@fuzz_settings()
@given(data=arbitrary_bytes)
def test_arbitrary_bytes_are_read_or_refused_with_a_message(data, scratch):
    path = _write(scratch, data)
    for outcome in _prepared(path):
        assert_well_formed(outcome, data)


@fuzz_settings()
@given(data=arbitrary_text)
def test_arbitrary_text_is_read_or_refused_with_a_message(data, scratch):
    path = _write(scratch, data)
    for outcome in _prepared(path):
        assert_well_formed(outcome, data)


@fuzz_settings()
@given(data=structured_files())
def test_a_valid_header_over_arbitrary_cells_loads_with_rejections_or_is_refused(data, scratch):
    path = _write(scratch, data)
    for outcome in _prepared(path):
        assert_well_formed(outcome, data)


# --- loading: what a refused file leaves, and what a loaded one holds ------------------------------


@dataclass
class FuzzWarehouse:
    """A warehouse that the fuzzed loads go into, one after another."""

    settings: Settings
    folder: Path

    @property
    def path(self) -> Path:
        return self.settings.warehouse_path


@pytest.fixture(scope="module")
def fuzz_warehouse(baseline_home, tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-loads")
    settings = Settings(home=copy_home(baseline_home, root / "home"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_PSEUDONYMISATION_KEY", TEST_KEY)
        assert pseudonymisation_key(settings) == KEY
        yield FuzzWarehouse(settings, root)


def _assert_areas_loaded(warehouse: Path, outcome: FileOutcome) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ours = con.execute("SELECT count(*) FROM area WHERE load_id = ?", [outcome.load_id]).fetchone()[0]
    assert ours == outcome.rows_loaded


def _assert_loaded_rows_replace_their_window(warehouse: Path, outcome: FileOutcome) -> None:
    """The file's rows are in its table under its load, and nothing else is left in its LA's window."""
    if outcome.dataset == "areas":
        return _assert_areas_loaded(warehouse, outcome)
    spec = DATASETS[outcome.dataset]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ours, others_in_window = con.execute(
            f"SELECT count(*) FILTER (load_id = $load), count(*) FILTER (load_id <> $load AND la_code = $la "
            f"AND CAST({spec.event_date} AS DATE) BETWEEN $start AND $end) FROM {spec.table}",
            {
                "load": outcome.load_id,
                "la": outcome.la_code,
                "start": outcome.coverage_start,
                "end": outcome.coverage_end,
            },
        ).fetchone()
        rejected = con.execute(
            "SELECT count(*) FROM etl_rejection WHERE load_id = ?", [outcome.load_id]
        ).fetchone()[0]
    assert (ours, others_in_window, rejected) == (outcome.rows_loaded, 0, len(outcome.rejections))


@fuzz_settings(loads=True)
@given(data=any_file)
def test_a_load_of_any_file_never_crashes_and_a_refused_one_changes_nothing(data, fuzz_warehouse):
    # Each example starts from what the one before left (hypothesis replays examples as it shrinks
    # a failure, so this is read afresh rather than carried over).
    before, last_load = fingerprint(fuzz_warehouse.path), latest_load_id(fuzz_warehouse.path)
    path = _write(fuzz_warehouse.folder, data)
    try:
        outcomes = run_load([path], fuzz_warehouse.settings, today=LOAD_DAY, source=SOURCE)
    except Exception as error:
        assume(known_crash(error) is None)
        raise
    after = fingerprint(fuzz_warehouse.path)
    for outcome in outcomes:
        assert_well_formed(outcome, data)
    recorded = loads_after(fuzz_warehouse.path, last_load)
    assert [(name, status) for name, status, _, _ in recorded] == [(o.file_name, o.status) for o in outcomes]
    if not any(o.status in SUCCESS for o in outcomes):
        assert without_audit(after) == without_audit(before)
        # A file refused because every row was rejected keeps its rejections, to be seen; no other adds any.
        own = sum(len(o.rejections) for o in outcomes)
        assert after["etl_rejection"][0] == before["etl_rejection"][0] + own
        assert own == 0 or after["etl_rejection"] != before["etl_rejection"]
    for outcome in outcomes:
        if outcome.status in SUCCESS:
            _assert_loaded_rows_replace_their_window(fuzz_warehouse.path, outcome)


def test_each_known_crash_is_pinned_by_a_failing_corpus_case():
    bugs = {case.id for case in every_case() if case.bug}
    assert {known.pinned_by for known in KNOWN_CRASHES} <= bugs
