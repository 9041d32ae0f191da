"""One load: read, stage and validate every file, then publish them in one atomic swap.

Each file is prepared whole before any of it is loaded, so a file that cannot load costs nothing
but its own audit row, and the others still load. Files are loaded into a copy of the warehouse as
they are prepared (the next is read while the last is loaded), and the copy is swapped in only
once every file is in.
"""

from __future__ import annotations

import contextvars
import getpass
import hashlib
import logging
import queue
import sys
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar, cast

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ExtractError, Rejection
from etl.limits import check_file_size, overlong_values
from etl.load import figures as submitted
from etl.load.publish import load_lock, publish
from etl.paths import OutsideLoadDirs, outside_load_dirs, read_for_load
from etl.readers.annex_a import read_annex_a
from etl.readers.areas_csv import is_areas_header, peek_header, read_areas_csv
from etl.readers.cin_xml import read_cin_census
from etl.readers.figures import FiguresFile
from etl.readers.formats import detect_format
from etl.readers.native_csv import RawExtract, read_native_csv
from etl.readers.ssda903 import read_ssda903_missing
from etl.staging.native import stage
from etl.validate.duplicates import exact_copies, same_records
from etl.validate.figures import Group, Submitter
from etl.validate.report import rejected_positions, rejections_from_failures
from etl.validate.schemas import validate
from warehouse.db import (
    LOADS_DIR,
    get_meta,
    local_authority_names,
    open_readonly,
    run_sql_file,
    run_transforms,
    set_meta,
    single_value,
)
from warehouse.model import sql as model_sql
from warehouse.model.datasets import Dataset
from warehouse.model.files import active_model, model_for, model_of_load, published_model
from warehouse.queries import run
from warehouse.queries.run import query_text
from warehouse.settings import Settings, environment, pseudonymisation_key
from warehouse.submissions import Figure

SHRINK_SETTING = "SAFEGUARD_MAX_SHRINK"

T = TypeVar("T")

SUCCESS = ("loaded", "loaded_with_rejections")

log = logging.getLogger(__name__)


def _use_jemalloc() -> None:
    """Arrow's jemalloc pool reuses freed pages where the default pool keeps faulting in new
    ones: on a million-row load that is about a tenth of the time (bench/etl_throughput.py)."""
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without jemalloc keeps its default
        pass


_use_jemalloc()

Progress = Callable[[Path, str], None]


@dataclass(frozen=True)
class SourceOptions:
    """How to read the files: told from each file ("auto") or named (see etl/readers/formats.py).
    A standard return may need the LA and the coverage window named, as it does not carry them."""

    source_format: str = "auto"
    la_code: str | None = None
    coverage: tuple[date, date] | None = None
    # An SSDA903 missing file's companions, when named (else the DfE's names beside it are used).
    header_file: Path | None = None
    episodes_file: Path | None = None
    # Publish a file even if it would remove more than SAFEGUARD_MAX_SHRINK of its window's rows,
    # or if every one of its rows was rejected.
    allow_shrink: bool = False


@dataclass
class FileOutcome:
    """What became of one file; it is also the file's row in etl_load."""

    path: Path
    sha256: str | None = None
    source_format: str = "native_csv"
    part: str | None = None  # the sheet of a workbook that holds several datasets
    dataset: str | None = None
    la_code: str | None = None
    coverage_start: date | None = None
    coverage_end: date | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_replaced: int = 0
    status: str = "failed"
    message: str | None = None
    rejections: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader wants the user told: shown, not failed
    load_id: int | None = None
    started_at: datetime = field(default_factory=datetime.now)
    finished_at: datetime | None = None
    rows: pa.Table | pd.DataFrame | None = None  # the rows to load, dropped once published
    # Figures submitted by an agency: the submission (dataset, LA, period) and its figures, to load.
    figures: tuple[Group, list[Figure]] | None = None
    submission_id: int | None = None  # the submission the load recorded, if any

    @property
    def file_name(self) -> str:
        return f"{self.path.name} ({self.part})" if self.part else self.path.name

    @property
    def spec(self) -> Dataset:
        """The declaration of the dataset the file was read as (a file that failed may have none)."""
        if self.dataset is None:
            raise ValueError(f"{self.file_name}: no dataset was read from it")
        return active_model().datasets[self.dataset]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class FileBytes:
    """A file's bytes as the load read them, handed to its reader by `take`, so that the reader
    holds the last reference and they are freed once it has parsed them: a million-row extract's
    100 MB would otherwise stay through staging and validation, at the load's peak of memory."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data

    @property
    def data(self) -> bytes:
        """The bytes, to look at before they are taken."""
        if self._data is None:
            raise RuntimeError("the file's bytes were handed to its reader already")
        return self._data

    def take(self) -> bytes:
        data, self._data = self.data, None
        return data


def _already_published(
    con: duckdb.DuckDBPyConnection | None, sha256: str, la_code: str | None
) -> list[tuple[int, str, str]]:
    """(load id, dataset, LA) of each load that published this exact file, if every one of them is
    still its LA's latest load of its dataset; otherwise nothing."""
    if con is None:
        return []
    found = run(con, "file_already_published", sha256=sha256, la_code=la_code)
    if found.empty or not found["is_latest"].all():
        return []
    return [tuple(row) for row in found[["load_id", "dataset", "la_code"]].itertuples(index=False)]


def _read(
    path: Path, data: bytes, source_format: str, source: SourceOptions, dataset: str | None
) -> list[RawExtract]:
    if source_format == "ssda903":
        return [
            read_ssda903_missing(
                path,
                source.la_code,
                source.coverage,
                data=data,
                header_file=source.header_file,
                episodes_file=source.episodes_file,
            )
        ]
    if source_format == "annex_a":
        return read_annex_a(path, source.la_code, source.coverage, data=data)
    if source_format == "cin_xml":
        return read_cin_census(path, source.la_code, source.coverage, data=data)
    return [read_native_csv(path, dataset, data=data)]


def prepare(
    path: Path,
    sha256: str,
    key: bytes,
    today: date,
    dataset: str | None = None,
    source: SourceOptions = SourceOptions(),
    data: FileBytes | None = None,
    submitter: Submitter | None = None,
) -> list[FileOutcome]:
    """Read, stage and validate one file: one outcome per dataset it holds, or one failed outcome
    if any part of it is structurally wrong (a file loads whole or not at all). A file of figures
    submitted by an agency: one outcome per submission (dataset, LA and period) it holds.

    `data` holds the file's bytes as the load read them (once, from one descriptor); without it
    the file is read here."""
    source_format = source.source_format
    try:
        held = data or FileBytes(read_for_load(path))
        del data
        if source_format == "auto":
            source_format = detect_format(path, held.data)
        check_file_size(path, len(held.data), source_format)
        if source_format in submitted.FIGURE_FORMATS:
            figures_file = submitted.read_figures(path, held.take(), source_format)
            return figures_outcomes(
                figures_file, sha256, source_format, submitter or Submitter(getpass.getuser()), today
            )
        if (
            source_format == "native_csv"
            and dataset in (None, "areas")
            and is_areas_header(peek_header(held.data))
        ):
            rows = read_areas_csv(path, held.take())
            outcome = FileOutcome(
                path=path,
                sha256=sha256,
                source_format=source_format,
                dataset="areas",
                la_code=rows["la_code"].iloc[0],
                rows_read=len(rows),
                rows_loaded=len(rows),
                rows=rows,
                status="loaded",
            )
            return [outcome]
        outcomes = []
        for raw in _read(path, held.take(), source_format, source, dataset):
            outcome = FileOutcome(path=path, sha256=sha256, source_format=source_format, part=raw.part)
            _prepare_raw(outcome, raw, key, today)
            outcome.status = "loaded_with_rejections" if outcome.rows_rejected else "loaded"
            outcomes.append(outcome)
        refusal = None if source.allow_shrink else _all_rejected(outcomes)
        if refusal:
            return _refuse_file(outcomes, refusal)
        return outcomes
    except OutsideLoadDirs as error:  # a companion file (SSDA903) outside SAFEGUARD_LOAD_DIRS
        message = str(error)
    except ExtractError as error:
        message = error.message
    except OSError as error:
        message = f"cannot read the file: {error.strerror}"
    except duckdb.InterruptException:
        raise  # Ctrl+C while DuckDB works: stop the load, as KeyboardInterrupt would
    except Exception as error:  # a reader's bug: this file fails, the others beside it still load
        # Exception, not BaseException: KeyboardInterrupt and SystemExit still stop the load.
        log.exception("unexpected error preparing %s", path)
        message = f"unexpected error reading {path.name}: {type(error).__name__}: {error}"
    return [
        FileOutcome(path=path, sha256=sha256, source_format=source_format, status="failed", message=message)
    ]


def figures_outcomes(
    file: FiguresFile, sha256: str | None, source_format: str, submitter: Submitter, today: date
) -> list[FileOutcome]:
    """A file of figures checked: an outcome per submission it holds, or, if anything in it is
    wrong, one failed outcome with every problem (a file of figures loads whole or not at all)."""
    checked = submitted.check(file, submitter, today)
    if checked.rejections:
        return [
            FileOutcome(
                path=file.path,
                sha256=sha256,
                source_format=source_format,
                part=file.sheet,
                rows_read=len(file.rows),
                rows_rejected=len({r.row_number for r in checked.rejections}),
                rejections=checked.rejections,
                status="failed",
                message=submitted.refusal(file, checked),
            )
        ]
    return [
        FileOutcome(
            path=file.path,
            sha256=sha256,
            source_format=source_format,
            part=file.sheet,
            dataset=group.dataset.name,
            la_code=group.la_code,
            coverage_start=group.period.start,
            coverage_end=group.period.end,
            rows_read=len(figures),
            figures=(group, figures),
            status="loaded",
        )
        for group, figures in checked.groups.items()
    ]


def _load_figures(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, submitter: Submitter) -> None:
    assert outcome.figures is not None
    group, figures = outcome.figures
    loaded = submitted.load_submission(
        con,
        group,
        figures,
        submitter,
        outcome.load_id or 0,
        None if outcome.source_format == submitted.MANUAL_FORMAT else outcome.path.name,
    )
    outcome.submission_id = loaded.submission_id
    outcome.rows_replaced = loaded.superseded
    la_name = local_authority_names().get(group.la_code)
    la = f"{la_name} ({group.la_code})" if la_name else group.la_code
    what = f"{group.dataset.title} of {la} for {group.period.label}"
    if loaded.submission_id is None:
        outcome.status, outcome.rows_loaded = "unchanged", 0
        outcome.message = f"{what}: the same figures as the warehouse holds; nothing changed"
    else:
        outcome.rows_loaded = len(figures)
        correction = f", correcting {_figures(loaded.superseded)}" if loaded.superseded else ""
        outcome.message = f"{what}: submission {loaded.submission_id}, {_figures(len(figures))}{correction}"


def _figures(count: int) -> str:
    return f"{count} figure{'s' if count != 1 else ''}"


def _all_rejected(outcomes: list[FileOutcome]) -> str | None:
    """Why a file whose every row was rejected is refused: loading it would replace its window
    with nothing (one bad row once wiped an LA's 51,512 contacts)."""
    for o in outcomes:
        if o.rows_read and not o.rows_loaded:
            return (
                f"{o.file_name}: every one of its {o.rows_read:,} rows was rejected, so loading it would "
                f"replace what the warehouse holds for {o.la_code or 'its LA'} from {o.coverage_start} to "
                f"{o.coverage_end} with nothing; correct the rows (see the rejections), or load it with "
                "--allow-shrink if the window really is empty"
            )
    return None


def _refuse_file(outcomes: list[FileOutcome], reason: str) -> list[FileOutcome]:
    """Every part of a file refused whole, for one reason; its rejections are kept to be seen."""
    for o in outcomes:
        o.status, o.message, o.rows, o.rows_loaded = "failed", reason, None, 0
    return outcomes


def _prepare_raw(outcome: FileOutcome, raw: RawExtract, key: bytes, today: date) -> None:
    """Stage and validate rows that a reader has laid out as a native extract, and drop duplicates
    (etl/validate/duplicates.py): each dropped row is a warning among the rejections."""
    outcome.dataset = raw.dataset.name
    outcome.ignored_columns = raw.ignored_columns
    outcome.notes = list(raw.notes)
    outcome.rows_read = raw.rows_read
    if raw.rows_read == 0 and raw.empty_is_allowed:
        return  # a return with nothing in its period: nothing to load, and nothing it replaces
    with ThreadPoolExecutor(max_workers=1) as background:
        # Finding copies is a DuckDB pass that holds no GIL: it runs while staging and validation do.
        copying = background.submit(exact_copies, raw)
        staged = stage(raw, key)
        outcome.la_code = staged.la_code
        outcome.coverage_start, outcome.coverage_end = staged.coverage_start, staged.coverage_end
        failures = rejections_from_failures(staged, validate(staged, today), today)
        copies = copying.result()
    found = (
        raw.rejections
        + overlong_values(raw.table, raw.row_numbers, raw.label, raw.derived_id_columns)
        + failures
    )
    # A copy is dropped as a copy: what is wrong with it is reported once, on the row it copies.
    copied_rows = set(raw.row_numbers[copies.positions].tolist())
    rejections = [r for r in found if r.row_number not in copied_rows]
    rejected = np.union1d(rejected_positions(staged, rejections), copies.positions)
    records = same_records(staged, rejected)
    rejected = np.union1d(rejected, records.positions)
    rows = staged.table
    if len(rejected):  # filtering copies every column: only when there is something to drop
        keep = np.ones(rows.num_rows, dtype=bool)
        keep[rejected] = False
        rows = rows.filter(pa.array(keep))
    # Where a row spans lines (XML), each rejection points at the line of its field.
    outcome.rejections = sorted(
        raw.at_field_lines(rejections + copies.warnings + records.warnings),
        key=lambda r: (r.row_number, r.field),
    )
    outcome.rows_rejected = raw.rows_read - rows.num_rows
    outcome.rows_loaded = rows.num_rows
    outcome.rows = rows
    dropped = len(copies.warnings) + len(records.warnings)
    if dropped:
        outcome.notes.append(
            f"{dropped:,} duplicate row{'s' if dropped > 1 else ''} dropped (warnings among the "
            "rejections, each naming the row kept)"
        )


def latest_row_per_child(rows: pa.Table) -> pa.Table:
    """The last row of the file for each child: it sets the child's attributes.

    Done in Arrow, since grouping half a million children in SQL costs more than the rest of
    the insert.
    """
    child_ids = rows["child_id"].combine_chunks()
    if pa.types.is_dictionary(child_ids.type):
        codes = child_ids.indices.to_numpy(zero_copy_only=False)  # hashed once, in staging
    else:
        codes = pc.dictionary_encode(child_ids).indices.to_numpy(zero_copy_only=False)
    is_last = ~pd.Series(codes[::-1]).duplicated().to_numpy()[::-1]  # a hash pass, not a sort
    return rows.take(np.flatnonzero(is_last))


def with_plain_child_ids(rows: pa.Table) -> pa.Table:
    """DuckDB inserts plain text several times faster than an Arrow dictionary column."""
    if "child_id" not in rows.column_names:
        return rows
    column = rows["child_id"].combine_chunks()
    if not pa.types.is_dictionary(column.type):
        return rows
    plain = pc.take(column.dictionary, column.indices)
    return rows.set_column(rows.column_names.index("child_id"), "child_id", plain)


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, rows: object) -> Iterator[None]:
    """`rows` as the view `name` while the block runs. If the block fails, a failure to unregister
    (DuckDB refuses with 'Current transaction is aborted' once a statement of the transaction has
    failed, for example for lack of disk space) must not take the place of the first error."""
    con.register(name, rows)
    try:
        yield
    except BaseException:
        try:
            con.unregister(name)
        except duckdb.Error:
            pass
        raise
    con.unregister(name)


def _run_load_sql(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> None:
    run_sql_file(con, LOADS_DIR / f"{name}.sql", **params)


def _replace(con: duckdb.DuckDBPyConnection, outcome: FileOutcome) -> None:
    """Swap the file's rows in for what the warehouse held for its LA and window."""
    spec = outcome.spec
    with _registered(con, "incoming", with_plain_child_ids(outcome.rows)):
        sql = (
            (LOADS_DIR / "replace_window.sql")
            .read_text(encoding="utf-8")
            .format(table=spec.table, event_date=spec.event_date, id_column=spec.id_column)
        )
        outcome.rows_replaced = single_value(
            con,
            sql,
            {
                "la_code": outcome.la_code,
                "coverage_start": outcome.coverage_start,
                "coverage_end": outcome.coverage_end,
            },
        )
        if spec.name in model_for(con).generated_datasets:  # its load is made from its declaration
            con.execute(model_sql.fact_load_sql(spec), {"load_id": outcome.load_id})
        else:
            _run_load_sql(con, spec.table, load_id=outcome.load_id)
        if "area_code" in spec.column_names:
            _run_load_sql(con, "area", load_id=outcome.load_id)


# What a record tells of its child: the child table's columns, as staging leaves them.
CHILD_COLUMNS = (
    "child_id",
    "la_code",
    "date_of_birth",
    "gender",
    "ethnicity",
    "disability",
    "area_code",
    "postcode",
)


def _add_children(con: duckdb.DuckDBPyConnection, outcome: FileOutcome) -> None:
    """What the file's last row for each child says of the child, kept (with the file's load) in the
    load's temporary table of children; records about no child (an allegation against an adult)
    tell nothing of one."""
    rows = outcome.rows
    if not outcome.spec.has_child or rows is None:
        return
    assert isinstance(rows, pa.Table)  # only the areas file is read as a frame
    latest = with_plain_child_ids(latest_row_per_child(rows.select(list(CHILD_COLUMNS))))
    with _registered(con, "incoming_children", latest):
        _run_load_sql(con, "child_add", load_id=outcome.load_id)


def _update_children(con: duckdb.DuckDBPyConnection) -> None:
    """The children of a load's files: each child's row from the last file of the load that has
    it replaces what the warehouse knew of the child. Once per load, not per file: a child is in
    most of a load's files, and each delete leaves the table more to rewrite when the load commits."""
    _run_load_sql(con, "child")


def _record(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, user: str, synthetic: bool) -> None:
    _run_load_sql(
        con,
        "record_load",
        load_id=outcome.load_id,
        file_name=outcome.file_name,
        file_sha256=outcome.sha256,
        source_format=outcome.source_format,
        dataset=outcome.dataset,
        la_code=outcome.la_code,
        coverage_start=outcome.coverage_start,
        coverage_end=outcome.coverage_end,
        rows_read=outcome.rows_read,
        rows_loaded=outcome.rows_loaded,
        rows_rejected=outcome.rows_rejected,
        rows_replaced=outcome.rows_replaced,
        status=outcome.status,
        message=outcome.message or ("; ".join(outcome.notes) or None),
        is_synthetic=synthetic,
        started_at=outcome.started_at,
        finished_at=outcome.finished_at,
        loaded_by=user,
    )
    if outcome.rejections:
        frame = pd.DataFrame(
            {
                "load_id": outcome.load_id,
                "file_name": outcome.file_name,
                "row_number": [r.row_number for r in outcome.rejections],
                "field": [r.field for r in outcome.rejections],
                "value": [r.value for r in outcome.rejections],
                "rule": [r.rule for r in outcome.rejections],
                "message": [r.message for r in outcome.rejections],
            }
        )
        with _registered(con, "new_rejections", frame):
            _run_load_sql(con, "record_rejections")


def _window_rows(con: duckdb.DuckDBPyConnection, outcome: FileOutcome) -> int:
    """Rows the warehouse holds for the outcome's LA, dataset and window: what loading it replaces."""
    spec = outcome.spec
    sql = (
        (LOADS_DIR / "window_rows.sql")
        .read_text(encoding="utf-8")
        .format(table=spec.table, event_date=spec.event_date)
    )
    return single_value(
        con,
        sql,
        {
            "la_code": outcome.la_code,
            "coverage_start": outcome.coverage_start,
            "coverage_end": outcome.coverage_end,
        },
    )


def _shrinks(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, share: float) -> str | None:
    """Why loading the outcome would remove too much of what its window holds, if it would."""
    if outcome.rows is None or outcome.dataset == "areas":
        return None
    held = _window_rows(con, outcome)
    if not held or (held - outcome.rows_loaded) <= share * held:
        return None
    return (
        f"{outcome.file_name} would replace the {held:,} {outcome.dataset} rows the warehouse holds for "
        f"{outcome.la_code} from {outcome.coverage_start} to {outcome.coverage_end} with {outcome.rows_loaded:,}, "
        f"removing more than {share:.0%} of them ({SHRINK_SETTING}); nothing of the file was loaded. Check "
        "that it is the whole extract for that window, then load it with --allow-shrink if it is"
    )


# The Arrow memory (files' rows read and not yet freed) a load lets its open transaction keep before
# it commits what it has written so far; one LA's files stay well under it.
HELD_ARROW_BYTES = 1024**3


def _commit_so_far(con: duckdb.DuckDBPyConnection) -> None:
    """Commit what the load has written to the building copy, and go on in a new transaction.

    DuckDB keeps every Arrow table a transaction has read until the transaction ends, so a load of
    every LA's files would hold all England's rows in memory (the national build peaked at 10.6 GB).
    The copy is the load's own until publish swaps it in, so a commit here publishes nothing, and a
    load that fails later still leaves the published warehouse as it was."""
    con.execute("COMMIT")
    con.execute("BEGIN TRANSACTION")


def _apply(
    files: Iterable[list[FileOutcome]],
    user: str,
    synthetic: bool,
    allow_shrink: bool = False,
    submitter: Submitter | None = None,
) -> Callable[[duckdb.DuckDBPyConnection], None]:
    """The change a load makes to the warehouse: each file's outcomes (one per dataset, LA and
    period it holds), loaded in turn as they come."""
    share = environment().max_shrink

    def change(con: duckdb.DuckDBPyConnection) -> None:
        # On the building connection itself: a cursor would be outside this transaction.
        next_id = single_value(con, query_text("next_load_id"))
        changed_las: set[str] = set()
        figures_changed = False
        _run_load_sql(con, "child_start")
        for parts in files:
            # Judged on the warehouse as the load's earlier files have left it, before any part of
            # the file is loaded: a file that shrinks one of its windows too far loads no part.
            if not allow_shrink:
                reason = next(filter(None, (_shrinks(con, part, share) for part in parts)), None)
                if reason:
                    _refuse_file(parts, reason)
            for outcome in parts:
                outcome.load_id = next_id
                next_id += 1
                if outcome.figures is not None:
                    _load_figures(con, outcome, submitter or Submitter(user))
                    figures_changed |= outcome.submission_id is not None
                elif outcome.rows is not None:
                    if outcome.dataset == "areas":
                        with _registered(con, "incoming", outcome.rows):
                            _run_load_sql(con, "area_reference", load_id=outcome.load_id)
                    else:
                        _replace(con, outcome)
                        _add_children(con, outcome)
                    assert outcome.la_code is not None  # read with its rows
                    changed_las.add(outcome.la_code)
                    outcome.rows = None  # loaded: its memory is free once the transaction ends
                outcome.finished_at = datetime.now()
                _record(con, outcome, user, synthetic)
            if pa.total_allocated_bytes() > HELD_ARROW_BYTES:
                _commit_so_far(con)
        _update_children(con)
        if changed_las:
            run_transforms(con, sorted(changed_las))
        if changed_las or figures_changed:
            version = int(get_meta(con).get("data_version", "0")) + 1
            set_meta(
                con, data_version=str(version), last_load_at=datetime.now().isoformat(timespec="seconds")
            )

    return change


def by_file(outcomes: list[FileOutcome]) -> list[list[FileOutcome]]:
    """Outcomes grouped by the file they came from, in their order."""
    grouped: dict[Path, list[FileOutcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.path, []).append(outcome)
    return list(grouped.values())


class _Stop(Exception):
    """Raised in a producer thread that its consumer no longer needs."""


def ahead(items: Iterator[T]) -> Generator[T, None, None]:
    """The items of `items`, made ahead on a thread of their own while the caller works on the last
    one (one made and waiting, the next being made): a load reads and checks its next file (Python, much of it holding the GIL) while DuckDB
    inserts the one before (which does not). The thread runs in the caller's context (the model of
    the load); what it raises is raised here; and if the caller stops early, the thread is stopped
    after the item it is making, and waited for."""
    handoff: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
    stopping = threading.Event()

    def give(kind: str, value: object) -> None:
        while not stopping.is_set():
            try:
                handoff.put((kind, value), timeout=0.05)
                return
            except queue.Full:
                continue
        raise _Stop

    def produce() -> None:
        try:
            for item in items:
                give("item", item)
            give("end", None)
        except _Stop:
            pass
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            try:
                give("error", error)
            except _Stop:
                pass

    producer = threading.Thread(target=contextvars.copy_context().run, args=(produce,), daemon=True)
    producer.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "end":
                return
            if kind == "error":
                raise cast(BaseException, value)
            yield cast(T, value)
    finally:
        stopping.set()
        producer.join()


class _BriskThreadSwitches:
    """While any load of the process runs, Python asks a thread that holds the GIL to let another
    run every 0.5 ms rather than every 5 ms. A load's threads are mostly in Arrow and DuckDB, which
    run without the GIL, but each takes it between calls; with the hashing of child IDs (pure
    Python) on another thread, each such call waited up to 5 ms for it. Staging a million contacts:
    0.82 s to 0.66 s. The interval is the process's, so it is set back when the last load ends."""

    INTERVAL = 0.0005

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loads = 0
        self._before = sys.getswitchinterval()

    def __enter__(self) -> None:
        with self._lock:
            if self._loads == 0:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(self.INTERVAL)
            self._loads += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._loads -= 1
            if self._loads == 0:
                sys.setswitchinterval(self._before)


BRISK_THREAD_SWITCHES = _BriskThreadSwitches()


class LoadRefused(Exception):
    """A load refused whole once its files were opened (one is outside SAFEGUARD_LOAD_DIRS)."""

    def __init__(self, outcomes: list[FileOutcome]) -> None:
        super().__init__("the load was refused")
        self.outcomes = outcomes


def _refused_load(paths: list[Path], refused: dict[Path, str]) -> list[FileOutcome]:
    """The outcomes of a load refused for files outside SAFEGUARD_LOAD_DIRS: all failed, none read.

    The whole load is refused, not only the outside files, so that a load never publishes part of
    what its operator asked for."""
    finished = datetime.now()
    others = (
        f"the load was refused, as {', '.join(str(p) for p in refused)} is outside the folders loads may read"
    )
    return [FileOutcome(path=path, message=refused.get(path, others), finished_at=finished) for path in paths]


def run_load(
    paths: list[Path],
    settings: Settings,
    *,
    dataset: str | None = None,
    synthetic: bool = False,
    force: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    source: SourceOptions = SourceOptions(),
    submitter: Submitter | None = None,
) -> list[FileOutcome]:
    """Load the files into the warehouse at settings.warehouse_path, all or nothing per file.

    `submitter`: who submits the files of figures among them, and how (an upload, the inbox); the
    user running the load if not given.

    With SAFEGUARD_LOAD_DIRS set, a load that names any file outside those folders is refused
    whole before a file is opened: every outcome is failed and the warehouse is not touched."""
    refused = outside_load_dirs(paths)
    if refused:
        return _refused_load(paths, refused)
    today = today or date.today()
    notify = progress or (lambda path, step: None)
    user = submitter.name if submitter else getpass.getuser()
    key = pseudonymisation_key(settings)
    with load_lock(settings.lock_path), BRISK_THREAD_SWITCHES:
        # An older warehouse is read as it is here; publish migrates it before the change.
        current = (
            open_readonly(settings.warehouse_path, allow_older=True)
            if settings.warehouse_path.exists()
            else None
        )
        # The readers, checks and load work to the model of the warehouse they write, as it is now.
        model = model_for(current) if current is not None else published_model(settings.warehouse_path)
        outcomes: list[FileOutcome] = []
        try:
            with model_of_load(model):
                files = _prepared_files(paths, current, key, today, dataset, source, submitter, force, notify)
                # Each file is read and checked while the one before it is loaded into the copy of
                # the warehouse that publish builds: nothing is published until every file is in.
                with closing(ahead(files)) as prepared:
                    publish(
                        settings.warehouse_path,
                        _apply(_kept(prepared, outcomes), user, synthetic, source.allow_shrink, submitter),
                    )
        except LoadRefused as refusal:
            return refusal.outcomes
        finally:
            if current is not None:
                current.close()
    return outcomes  # with no rows: _apply drops each outcome's rows once loaded


def _kept(files: Iterator[list[FileOutcome]], kept: list[FileOutcome]) -> Iterator[list[FileOutcome]]:
    """The files' outcomes as they come, each also added to `kept`."""
    for parts in files:
        kept += parts
        yield parts


def _prepared_files(
    paths: list[Path],
    current: duckdb.DuckDBPyConnection | None,
    key: bytes,
    today: date,
    dataset: str | None,
    source: SourceOptions,
    submitter: Submitter | None,
    force: bool,
    notify: Progress,
) -> Iterator[list[FileOutcome]]:
    """Each file read once, checked against what is published, staged and validated: its outcomes.
    Raises LoadRefused if a file turns out to be outside SAFEGUARD_LOAD_DIRS once opened."""
    touched: set[tuple[str | None, str | None]] = set()  # (dataset, LA) an earlier file in this load replaces
    for path in paths:
        notify(path, "checking")
        if not path.is_file():
            yield [FileOutcome(path=path, message="no such file", finished_at=datetime.now())]
            continue
        try:
            # Read once, from one descriptor checked against SAFEGUARD_LOAD_DIRS now that the
            # lock is held: the check before it may be stale (a file swapped for a link).
            data = FileBytes(read_for_load(path))
        except OutsideLoadDirs as error:
            raise LoadRefused(_refused_load(paths, {path: str(error)})) from error
        except (ExtractError, OSError) as error:
            message = (
                error.message
                if isinstance(error, ExtractError)
                else f"cannot read the file: {error.strerror}"
            )
            yield [FileOutcome(path=path, message=message, finished_at=datetime.now())]
            continue
        sha = hashlib.sha256(data.data).hexdigest()
        previous = [] if force else _already_published(current, sha, source.la_code)
        if previous and not touched & {(d, la) for _, d, la in previous}:
            yield [
                FileOutcome(
                    path=path,
                    sha256=sha,
                    dataset=previous_dataset,
                    la_code=la_code,
                    status="unchanged",
                    message=f"the same file was already loaded as load {load_id}; nothing changed",
                    finished_at=datetime.now(),
                )
                for load_id, previous_dataset, la_code in previous
            ]
            continue
        notify(path, "reading and validating")
        prepared = prepare(path, sha, key, today, dataset, source, data, submitter)
        touched |= {(outcome.dataset, outcome.la_code) for outcome in prepared}
        yield prepared
    notify(paths[0] if paths else Path("."), "publishing")


def publish_figures(
    settings: Settings,
    submitter: Submitter,
    prepare: Callable[[], list[FileOutcome]],
    record_refusal: bool,
) -> list[FileOutcome]:
    """Figures that come from no file in a load folder (an upload through the app, an entry by hand):
    `prepare` reads and checks them, under the load lock and with the warehouse's model, then they are
    loaded through the same copy-and-swap and load history as a file. A refusal is recorded in the
    load history (an upload's, to be seen on the Data page) only if `record_refusal`."""
    with load_lock(settings.lock_path):
        current = (
            open_readonly(settings.warehouse_path, allow_older=True)
            if settings.warehouse_path.exists()
            else None
        )
        try:
            model = model_for(current) if current is not None else published_model(settings.warehouse_path)
        finally:
            if current is not None:
                current.close()
        with model_of_load(model):
            outcomes = prepare()
            if record_refusal or all(o.figures is not None for o in outcomes):
                publish(
                    settings.warehouse_path,
                    _apply(by_file(outcomes), submitter.name, False, submitter=submitter),
                )
    for outcome in outcomes:
        outcome.finished_at = outcome.finished_at or datetime.now()
    return outcomes
