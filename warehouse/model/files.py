"""Reading the model: the built-in files shipped with the product, then a partnership's own.

A model file is TOML holding any of `[[layout]]`, `[[dataset]]`, `[[dimension]]`, `[[measure]]`,
`[[kpi]]`, `[[page]]` and `[[priority]]` tables. A `[[dataset]]` is an extract of records, or with
`kind = "figures"` figures an agency submits per LA and period (warehouse/model/figures.py). The built-in
ones are in warehouse/model/builtin; a partnership adds its own in $SAFEGUARD_HOME/model, and may declare
once, in one of its own files, a `[board]` table: its executive set, scorecard priorities and pack pages,
in place of the built-in defaults.
Everything is checked before anything is used: a mistake is refused with the file, the key and the
reason, and nothing of a refused model reaches the warehouse or the app.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, ValidationError

from warehouse.benchmark_sources import benchmark_sources
from warehouse.kpis.model import Direction, Kpi, Timing
from warehouse.model.datasets import (
    Column,
    Dataset,
    Kind,
    Layout,
    Privacy,
    agency_groups,
    code_list_names,
    shipped_codes,
)
from warehouse.model.figures import FiguresDataset
from warehouse.model.specs import Board, Dimension, FigureValue, Measure, MeasureTiming, Page, Priority

BUILTIN_DIR = Path(__file__).with_name("builtin")
# The built-in datasets whose tables, loads, cubes and events are the product's own hand-written SQL
# (warehouse/schema, warehouse/loads, warehouse/transforms, warehouse/definitions/045_events.sql).
# Every other dataset, shipped in a pack or a partnership's own, is generated: its table, load,
# cube rows and events are made from its declaration (warehouse/model/sql.py).
HAND_WRITTEN_DATASETS = frozenset(
    {"contacts", "referrals", "s47", "cp_plans", "missing_episodes", "assessments", "cla_missing_counts"}
)
KINDS: dict[str, type[BaseModel]] = {
    "layout": Layout,
    "dataset": Dataset,
    "dimension": Dimension,
    "measure": Measure,
    "kpi": Kpi,
    "page": Page,
    "priority": Priority,
}

# The one table (not an array of tables) a model file may hold: a partnership's board content.
BOARD = "board"

# Names the app and the cubes use for themselves: a dimension may not take them.
RESERVED_URL_KEYS = frozenset({"period", "la", "kpi", "year", "section", "chart", "limits", "meeting"})
# The app's own paths, which a page may not take (tests/app/test_model_pages.py keeps this list whole).
RESERVED_PAGE_IDS = frozenset(
    {
        "404", "actions", "annual-report", "assets", "audit", "auth", "benchmarks", "challenges", "commentary", "data", "exceptions",
        "export", "healthz", "login", "logout", "meetings", "pack", "present", "readyz", "records", "reviews", "risks", "scorecard", "static", "submissions", "targets",
    }
)  # fmt: skip
RESERVED_COLUMNS = frozenset(
    {"la_code", "month", "measure", "n", "key_sum", "child_id", "episodes", "child_key", "episode_keys"}
    | {"event_date", "record_id"}  # kpi_events and the rows a local measure counts (warehouse/model/sql.py)
)


class ModelError(ValueError):
    """A model file that cannot be used, with where and why."""

    def __init__(self, problems: list[str]):
        self.problems = sorted(problems, key=lambda problem: problem.split(":")[0])  # by file, in order
        super().__init__("the model has mistakes:\n" + "\n".join(f"- {p}" for p in self.problems))


@dataclass(frozen=True)
class ModelFile:
    """One file of the model: shipped with the product (built in) or a partnership's own."""

    name: str
    text: str
    builtin: bool = False


@dataclass(frozen=True)
class Declared:
    """One declaration and where it came from, for messages."""

    kind: str
    spec: Any
    file: ModelFile
    index: int

    @property
    def key(self) -> str:
        """What the declaration is known by: a dataset's or a layout's name, anything else's id."""
        return _key(self.spec)

    @property
    def where(self) -> str:
        return f"{self.file.name}: {self.kind}[{self.index}] ({self.key!r})"


@dataclass(frozen=True)
class Model:
    datasets: dict[str, Dataset]  # by name, in the order declared
    dimensions: tuple[Dimension, ...]
    measures: dict[str, Measure]
    kpis: dict[str, Kpi]
    pages: tuple[Page, ...] = ()
    priorities: tuple[Priority, ...] = ()  # the scorecard's, in the board's order
    local_datasets: tuple[str, ...] = ()  # those a partnership declared in its own files
    generated_datasets: tuple[str, ...] = ()  # all but the hand-written: made from their declarations
    files: tuple[ModelFile, ...] = ()
    board: Board = field(default_factory=Board)  # a partnership's own choices, where it declared a [board]
    # Datasets of figures submitted by agencies (kind = "figures"), by name: no records, no table of
    # their own; their figures are in the warehouse's submitted_figure table.
    figures: dict[str, FiguresDataset] = field(default_factory=dict)

    @cached_property
    def fingerprint(self) -> str:
        """What the model is made from: a change of any file changes it."""
        digest = hashlib.sha256()
        for file in self.files:
            digest.update(f"{file.builtin}\0{file.name}\0{file.text}\0".encode())
        return digest.hexdigest()

    @property
    def local_files(self) -> tuple[ModelFile, ...]:
        return tuple(f for f in self.files if not f.builtin)

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(f"no dimension {dimension_id!r}; known: {', '.join(d.id for d in self.dimensions)}")

    def dimensions_of(self, dataset: str) -> tuple[str, ...]:
        return carried_dimensions(
            self.dimensions, self.datasets.get(dataset), dataset in self.generated_datasets
        )

    def record_dimensions(self, dataset: str) -> dict[str, str]:
        """A generated dataset: cube column -> the dataset column that holds it, for the dimensions its
        records carry themselves (the child's come from the child's record)."""
        spec = self.datasets[dataset]
        carried = self.dimensions_of(dataset)
        found = {}
        for dimension in self.dimensions:
            if dimension.from_child or dimension.age_bands or dimension.id not in carried:
                continue
            found[dimension.cube_column] = spec.dimensions.get(dimension.id, dimension.cube_column)
        return found

    def figure_measures(self, dataset: str) -> tuple[Measure, ...]:
        """A figures dataset's measures, in the order the model declares them."""
        return tuple(m for m in self.measures.values() if m.dataset == dataset)

    @property
    def executive_kpis(self) -> tuple[str, ...]:
        """The executive summary's KPIs: the board's, in its order; else those declared `executive =
        true`, those a target can rate first (a direction of good), so that a projected summary's
        first row reads as RAG, then the neutral ones (a volume to watch)."""
        if self.board.executive is not None:
            return self.board.executive
        declared = [kpi for kpi in self.kpis.values() if kpi.executive]
        return tuple(kpi.id for kpi in sorted(declared, key=lambda kpi: kpi.direction is Direction.NEUTRAL))

    def priority_kpis(self, priority_id: str) -> tuple[str, ...]:
        """The KPIs that name a scorecard priority, in the order the model declares them."""
        return tuple(kpi.id for kpi in self.kpis.values() if kpi.priority == priority_id)

    @property
    def scorecard_priorities(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The scorecard's priorities (title, KPI ids) in the board's order: the board's, else the
        `[[priority]]` tables with the KPIs that name them."""
        if self.board.priority is not None:
            return tuple((p.title, p.kpis) for p in self.board.priority)
        return tuple((p.title, self.priority_kpis(p.id)) for p in self.priorities)

    @property
    def report_kpis(self) -> tuple[str, ...]:
        """The exception report's KPIs: where a partnership's `[board]` chooses the executive set or the
        scorecard, the KPIs it puts before the board (executive set, then scorecard), else every KPI
        with a single figure."""
        if self.board.executive is None and self.board.priority is None:
            return tuple(kpi.id for kpi in self.kpis.values() if not kpi.is_share)
        scorecard = (kpi_id for _title, kpis in self.scorecard_priorities for kpi_id in kpis)
        return tuple(dict.fromkeys((*self.executive_kpis, *scorecard)))

    @property
    def pack_pages(self) -> tuple[Page, ...]:
        """The dashboards the meeting pack offers, in its order: the board's, else every page."""
        if self.board.pack is None:
            return self.pages
        by_id = {p.id: p for p in self.pages}
        return tuple(by_id[page_id] for page_id in self.board.pack)

    @property
    def pack_included(self) -> tuple[str, ...]:
        """The dashboards a pack includes when its link names none: all the board's, else none."""
        return self.board.pack or ()


# The product's core model files, read first: declarations keep the order they are read in, so the
# core pages, KPIs and priorities come before the shipped packs' (early_help.toml, lado.toml, ...),
# which follow in name order.
CORE_FILES = (
    "datasets.toml",
    "dimensions.toml",
    "measures.toml",
    "kpis.toml",
    "pages.toml",
    "priorities.toml",
)


def builtin_files() -> list[ModelFile]:
    paths = sorted(BUILTIN_DIR.glob("*.toml"), key=lambda p: (p.name not in CORE_FILES, p.name))
    return [ModelFile(p.name, p.read_text(encoding="utf-8"), builtin=True) for p in paths]


def folder_files(folder: Path) -> list[ModelFile]:
    """A partnership's model files in `folder` (none if it does not exist)."""
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.glob("*.toml")):
        try:
            files.append(ModelFile(path.name, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError as error:
            raise ModelError(
                [f"{path.name}: not UTF-8 text ({error.reason} at byte {error.start})"]
            ) from None
    return files


def read_model(local: Path | Sequence[ModelFile] | None = None) -> Model:
    """The built-in model with a partnership's files (a folder, or the files themselves) added."""
    files = [*builtin_files(), *(folder_files(local) if isinstance(local, Path) else local or ())]
    problems: list[str] = []
    declared: list[Declared] = []
    for file in files:
        declared += _read_file(file, problems)
    model = _assemble(declared, problems)
    if problems:
        raise ModelError(problems)
    return Model(**model, files=tuple(files))


def _read_file(file: ModelFile, problems: list[str]) -> list[Declared]:
    try:
        content = tomllib.loads(file.text)
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{file.name}: not valid TOML: {error}")
        return []
    found = []
    for key, tables in content.items():
        if key == BOARD:
            found += _read_board(file, tables, problems)
            continue
        if key not in KINDS:
            problems.append(f"{file.name}: unknown section {key!r}: a model file holds {_kinds()}")
            continue
        if not isinstance(tables, list):
            problems.append(f"{file.name}: {key}: write each one as [[{key}]]")
            continue
        for index, table in enumerate(tables):
            name = table.get("id", table.get("name"))
            label = f"{file.name}: {key}[{index}]" + (f" ({name!r})" if name is not None else "")
            spec = FiguresDataset if key == "dataset" and table.get("kind") == "figures" else KINDS[key]
            try:
                found.append(Declared(key, spec.model_validate(table), file, index))
            except ValidationError as error:
                problems += [f"{label}{_field(e['loc'])}: {e['msg']}" for e in error.errors()]
    return found


def _read_board(file: ModelFile, table: object, problems: list[str]) -> list[Declared]:
    """A partnership's `[board]`: one table, in a file of its own."""
    if not isinstance(table, dict):
        problems.append(f"{file.name}: board: write it once as [board] (with [[board.priority]] tables)")
        return []
    if file.builtin:
        problems.append(f"{file.name}: board: the built-in model declares no board; a partnership does")
        return []
    try:
        return [Declared(BOARD, Board.model_validate(table), file, 0)]
    except ValidationError as error:
        problems += [f"{file.name}: board{_field(e['loc'])}: {e['msg']}" for e in error.errors()]
        return []


def _check_board(
    declared: list[Declared], kpis: dict[str, Kpi], pages: tuple[Page, ...], problems: list[str]
) -> Board:
    """The board's KPIs and pages are the model's, each once; the scorecard's KPIs have a single figure."""
    if not declared:
        return Board()
    first, *again = declared
    for d in again:
        problems.append(f"{d.file.name}: board: already declared in {first.file.name}; declare it once")
    board: Board = first.spec
    where = f"{first.file.name}: board"

    def known(key: str, kpi_ids: tuple[str, ...], shown_in: str) -> None:
        for kpi_id in dict.fromkeys(kpi_ids):
            if kpi_id not in kpis:
                problems.append(f"{where}.{key}: no KPI {kpi_id!r}; known: {', '.join(kpis)}")
            elif kpis[kpi_id].is_share:
                problems.append(
                    f"{where}.{key}: {kpi_id!r} is a share of a whole, which has no single figure to put in "
                    f"{shown_in}"
                )
        for kpi_id in sorted({k for k in kpi_ids if kpi_ids.count(k) > 1}):
            problems.append(f"{where}.{key}: {kpi_id!r} is listed more than once")

    if board.executive is not None:
        known("executive", board.executive, "an executive summary card")
    if board.priority is not None:
        known("priority", tuple(k for p in board.priority for k in p.kpis), "a scorecard")
        ids = [p.id for p in board.priority]
        for priority_id in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"{where}.priority: priority id {priority_id!r} is declared more than once")
    if board.pack is not None:
        page_ids = [p.id for p in pages]
        for page_id in board.pack:
            if page_id not in page_ids:
                problems.append(f"{where}.pack: no page {page_id!r}; known: {', '.join(page_ids)}")
        for page_id in sorted({p for p in board.pack if board.pack.count(p) > 1}):
            problems.append(f"{where}.pack: {page_id!r} is listed more than once")
    return board


def _assemble(declared: list[Declared], problems: list[str]) -> dict:
    by_kind: dict[str, dict[str, Declared]] = {kind: {} for kind in KINDS}
    boards = [d for d in declared if d.kind == BOARD]
    declared = [d for d in declared if d.kind != BOARD]
    for d in declared:
        word = "id" if hasattr(d.spec, "id") else "name"
        first = by_kind[d.kind].get(d.key)
        if first is None:
            by_kind[d.kind][d.key] = d
        elif first.file.builtin and not d.file.builtin:
            problems.append(f"{d.where}: {word} clashes with a built-in {d.kind}: choose another {word}")
        else:
            problems.append(f"{d.where}: {d.kind} {word} already declared in {first.file.name}")
    layouts = {name: d.spec for name, d in by_kind["layout"].items()}
    declared_figures = [d for d in by_kind["dataset"].values() if isinstance(d.spec, FiguresDataset)]
    declared_records = [d for d in by_kind["dataset"].values() if not isinstance(d.spec, FiguresDataset)]
    datasets = _datasets(declared_records, layouts, problems)
    figures = {d.key: d.spec for d in declared_figures}
    for d in declared_figures:
        _check_agency(d, d.spec.agency, problems)
    dimensions = {i: d.spec for i, d in by_kind["dimension"].items()}
    measures = {i: d.spec for i, d in by_kind["measure"].items()}
    local = tuple(d.key for d in declared_records if not d.file.builtin)
    generated = tuple(
        d.key for d in declared_records if not (d.file.builtin and d.key in HAND_WRITTEN_DATASETS)
    )
    for d in by_kind["measure"].values():
        if d.spec.dataset in figures:
            _check_figure_measure(d, problems)
        elif d.spec.dataset not in datasets:
            known = ", ".join([*datasets, *figures])
            problems.append(f"{d.where}.dataset: no dataset {d.spec.dataset!r}; known: {known}")
        else:
            _check_measure_columns(d, datasets[d.spec.dataset], d.spec.dataset in generated, problems)
            _check_followers(d, datasets, problems)
    _check_dimensions(list(by_kind["dimension"].values()), datasets, generated, problems)
    for name in generated:
        _check_dataset_dimensions(by_kind["dataset"][name], dimensions, problems)
    # Datasets whose measures are counted from their declaration, as a partnership's own are: their
    # records carry the dimensions they have columns for (the built-in assessments: the area, no agency).
    counted = set(generated) | {m.dataset for m in measures.values() if m.date is not None}
    kpis = {}
    for kpi_id, d in by_kind["kpi"].items():
        dataset = d.spec.dataset
        # A figure is given per LA and period only, and a published figure is for a whole LA: neither
        # carries a filter of the records' dimensions.
        carried = (
            ()
            if dataset in figures or d.spec.is_published
            else carried_dimensions(tuple(dimensions.values()), datasets.get(dataset), dataset in counted)
        )
        _check_kpi(d, measures, dimensions, carried, problems)
        kpis[kpi_id] = d.spec.model_copy(update={"dimensions": carried})
    for d in by_kind["page"].values():
        _check_page(d, kpis, measures, problems)
    pages = tuple(d.spec for d in by_kind["page"].values())
    _check_priorities(list(by_kind["priority"].values()), list(by_kind["kpi"].values()), problems)
    board = _check_board(boards, kpis, pages, problems)
    return {
        "board": board,
        "datasets": datasets,
        "figures": figures,
        "local_datasets": local,
        "generated_datasets": generated,
        "dimensions": tuple(dimensions.values()),
        "measures": measures,
        "kpis": kpis,
        "pages": pages,
        "priorities": tuple(d.spec for d in by_kind["priority"].values()),
    }


def _datasets(
    declared: list[Declared], layouts: dict[str, Layout], problems: list[str]
) -> dict[str, Dataset]:
    """Each dataset with its layout's columns, checked: its dates and id are its own columns of the
    right kind, each column once, each code list shipped, each table its own."""
    shipped = set(code_list_names())
    tables: dict[str, Declared] = {}
    datasets: dict[str, Dataset] = {}
    for d in declared:
        dataset: Dataset = d.spec
        if dataset.agency is not None:
            _check_agency(d, dataset.agency, problems)
        layout = layouts.get(dataset.layout)
        if layout is None:
            problems.append(f"{d.where}.layout: no layout {dataset.layout!r}; known: {', '.join(layouts)}")
            continue
        owner = tables.setdefault(dataset.table, d)
        if owner is not d:
            clash = "a built-in dataset" if owner.file.builtin and not d.file.builtin else "dataset"
            problems.append(
                f"{d.where}.table: {dataset.table!r} is already the table of {clash} {owner.key!r}"
            )
        own = {c.name: c for c in dataset.columns}
        wanted = (
            ("id_column", dataset.id_column, (Kind.TEXT,)),
            ("event_date", dataset.event_date, (Kind.DATE, Kind.DATETIME)),
            ("end_date", dataset.end_date, (Kind.DATE, Kind.DATETIME)),
        )
        for key, name, kinds in wanted:
            if name is None:
                continue
            if name not in own:
                problems.append(f"{d.where}.{key}: {name!r} is not one of the dataset's own columns")
            elif own[name].kind not in kinds:
                problems.append(
                    f"{d.where}.{key}: column {name!r} is {own[name].kind}, not {' or '.join(kinds)}"
                )
            elif own[name].privacy is not Privacy.KEPT:
                problems.append(f"{d.where}.{key}: column {name!r} is stored as its {own[name].privacy}")
        if dataset.id_column in own and not own[dataset.id_column].required:
            problems.append(f"{d.where}.id_column: column {dataset.id_column!r} must be required")
        laid_out = dataset.laid_out(layout)
        standard = {c.name for c in (*layout.file_columns, *layout.child_columns)}
        seen: set[str] = set()
        for column in laid_out.columns:
            if column.name in seen:
                also = f", and layout {layout.name!r} has it" if column.name in standard else ""
                problems.append(f"{d.where}.columns: {column.name!r} is declared twice{also}")
            seen.add(column.name)
            if column.codelist is not None and column.codelist not in shipped:
                problems.append(
                    f"{d.where}.columns ({column.name!r}).codelist: no code list {column.codelist!r} in "
                    f"warehouse/reference; known: {', '.join(sorted(shipped))}"
                )
        dated = {c.name for c in laid_out.columns if c.kind in (Kind.DATE, Kind.DATETIME)}
        for index, order in enumerate(dataset.dates_in_order):
            for key in ("later", "earlier"):
                if getattr(order, key) not in dated:
                    problems.append(
                        f"{d.where}.dates_in_order.{index}.{key}: {getattr(order, key)!r} is not a date "
                        "column of the dataset"
                    )
        stored = {c.name for c in laid_out.columns if c.privacy is Privacy.KEPT}
        for dimension, column_name in dataset.dimensions.items():
            if column_name not in stored:
                problems.append(
                    f"{d.where}.dimensions ({dimension!r}): {column_name!r} is not a stored column of the dataset"
                )
        datasets[dataset.name] = laid_out
    return datasets


def _check_agency(d: Declared, agency: str, problems: list[str]) -> None:
    """A KPI's or a dataset's `agency` is one of the agency groups partner accounts use, spelt as they are."""
    groups = agency_groups()
    if agency.lower() not in groups:
        problems.append(
            f"{d.where}.agency: {agency!r} is not an agency; use one of {', '.join(sorted(set(groups.values())))}"
        )
    elif agency != groups[agency.lower()]:
        problems.append(f"{d.where}.agency: spell it {groups[agency.lower()]!r}")


def _check_figure_measure(d: Declared, problems: list[str]) -> None:
    """A submitted figure is given per LA and period: it has no records to place by a date or test
    with conditions, and it is either a figure for the period (flow) or at its end (stock)."""
    measure: Measure = d.spec
    if measure.timing == MeasureTiming.CHILDREN:
        problems.append(
            f"{d.where}.timing: a submitted figure is a flow (periods add up) or a stock (a figure at the "
            "period's end), not children"
        )
    for key in ("date", "end", "where"):
        if getattr(measure, key):
            problems.append(f"{d.where}.{key}: a submitted figure has no records, so no `{key}`")


def carried_dimensions(
    dimensions: tuple[Dimension, ...], dataset: Dataset | None, generated: bool
) -> tuple[str, ...]:
    """The dimensions a dataset's records carry. A hand-written dataset carries those that name it
    (its cube build is the product's own). A generated dataset carries the child's dimensions if its
    records are about a child, and those of its own columns: mapped in its `dimensions`, or a column
    of the dimension's name (area_code)."""
    if dataset is None or not generated:
        return tuple(d.id for d in dimensions if dataset is None or d.carried_by(dataset.name))
    stored = {c.name for c in dataset.columns if c.privacy is Privacy.KEPT}
    return tuple(
        d.id
        for d in dimensions
        if d.carried_by(dataset.name)
        and (
            ((d.from_child or d.age_bands) and dataset.has_child)
            or d.id in dataset.dimensions
            or d.cube_column in stored
        )
    )


def _check_dataset_dimensions(d: Declared, dimensions: dict[str, Dimension], problems: list[str]) -> None:
    dataset: Dataset = d.spec
    for dimension_id in dataset.dimensions:
        dimension = dimensions.get(dimension_id)
        if dimension is None:
            problems.append(f"{d.where}.dimensions: no dimension {dimension_id!r}")
        elif dimension.from_child or dimension.age_bands:
            problems.append(
                f"{d.where}.dimensions: {dimension_id!r} comes from the child's record, not a column"
            )
        elif not dimension.carried_by(dataset.name):
            problems.append(
                f"{d.where}.dimensions: dimension {dimension_id!r} does not list dataset {dataset.name!r}"
            )


def _check_measure_columns(d: Declared, dataset: Dataset, local: bool, problems: list[str]) -> None:
    """A measure of a generated dataset (`local`) has the dates its timing needs (a stock: the
    dates that open and close a record); its dates and the columns its conditions test are stored
    columns of its dataset, and its dates are dates. Only records about a child count children."""
    measure: Measure = d.spec
    stock = measure.timing == MeasureTiming.STOCK
    if measure.timing == MeasureTiming.CHILDREN and not dataset.has_child:
        problems.append(
            f"{d.where}.timing: dataset {dataset.name} has records about no child, so it counts no children"
        )
    if measure.parts or measure.value != FigureValue.COUNT:
        problems.append(
            f"{d.where}: only a submitted figure (a measure of a figures dataset) has `parts` or a `value` kind"
        )
    if local and measure.date is None:
        problems.append(
            f"{d.where}.date: a measure of a dataset of your own needs the `date` that places a record"
        )
    if local and stock and measure.end is None:
        problems.append(
            f"{d.where}.end: a stock needs the `end` column that closes a record (blank while open)"
        )
    if measure.end is not None and not stock:
        problems.append(
            f"{d.where}.end: only a stock has an `end`; this measure's timing is {measure.timing}"
        )
    dated = (Kind.DATE, Kind.DATETIME)
    wanted: list[tuple[str, str, tuple[Kind, ...]]] = [
        (key, name, dated) for key, name in (("date", measure.date), ("end", measure.end)) if name
    ]
    for index, condition in enumerate(measure.where):
        kinds = dated if condition.between else (Kind.CODES,) if condition.contains else tuple(Kind)
        wanted += [(f"where.{index}", column, kinds) for column in condition.columns]
        if condition.contains and condition.column in dataset.column_names:
            _check_contained_codes(d, index, dataset.column(condition.column), condition.contains, problems)
    for key, name, kinds in wanted:
        if name not in dataset.column_names:
            problems.append(f"{d.where}.{key}: dataset {dataset.name} has no column {name!r}")
        elif dataset.column(name).privacy is Privacy.NEVER_STORED:
            problems.append(f"{d.where}.{key}: column {name!r} is free text, which is never stored")
        elif dataset.column(name).kind not in kinds:
            wanted_kind = "a date" if kinds == dated else " or ".join(kinds)
            problems.append(
                f"{d.where}.{key}: column {name!r} is {dataset.column(name).kind}, not {wanted_kind}"
            )


def _check_contained_codes(
    d: Declared, index: int, column: Column, codes: tuple[str, ...], problems: list[str]
) -> None:
    """A `contains` condition names codes of its column's list (a typo would count nothing)."""
    if column.kind is not Kind.CODES:
        return  # said above
    if column.codelist and column.codelist not in code_list_names():
        return  # said with the dataset
    known = shipped_codes(column.codelist) if column.codelist else {code.code for code in column.codes}
    for code in codes:
        if code not in known:
            problems.append(
                f"{d.where}.where.{index}.contains: {code!r} is not a code of column {column.name!r}"
            )


def _check_followers(d: Declared, datasets: dict[str, Dataset], problems: list[str]) -> None:
    """A following record (`followed_by`) is of a declared dataset, and both are records about a child,
    which is what links them."""
    for index, condition in enumerate(d.spec.where):
        name = condition.followed_by
        if name is None:
            continue
        if name not in datasets:
            problems.append(f"{d.where}.where.{index}.followed_by: no dataset {name!r}")
        elif not (datasets[name].has_child and datasets[d.spec.dataset].has_child):
            problems.append(
                f"{d.where}.where.{index}.followed_by: {d.spec.dataset} and {name} are not both records about a "
                "child, which is what links a record to a following one"
            )


def _key(spec: Any) -> str:
    return spec.id if hasattr(spec, "id") else spec.name


def _check_dimensions(
    declared: list[Declared], datasets: dict[str, Dataset], local: tuple[str, ...], problems: list[str]
) -> None:
    url_keys: dict[str, str] = {}
    columns: dict[str, str] = {}
    for d in declared:
        dim: Dimension = d.spec
        if dim.url_key in RESERVED_URL_KEYS or dim.url_key in url_keys:
            problems.append(
                f"{d.where}.url_key: {dim.url_key!r} is already used by {url_keys.get(dim.url_key, 'the app')}"
            )
        url_keys.setdefault(dim.url_key, dim.id)
        if dim.cube_column in RESERVED_COLUMNS or dim.cube_column in columns:
            problems.append(
                f"{d.where}.column: {dim.cube_column!r} is already used by {columns.get(dim.cube_column, 'the cubes')}"
            )
        columns.setdefault(dim.cube_column, dim.id)
        if dim.datasets != "all":
            for dataset in dim.datasets:
                if dataset not in datasets:
                    problems.append(
                        f"{d.where}.datasets: no dataset {dataset!r}; known: {', '.join(sorted(datasets))}"
                    )
        if not d.file.builtin and not (dim.from_child or dim.age_bands):
            _check_record_dimension(d, datasets, local, problems)


def _check_record_dimension(
    d: Declared, datasets: dict[str, Dataset], local: tuple[str, ...], problems: list[str]
) -> None:
    """A partnership's dimension read from its records' own columns: only its own datasets can carry
    it (the built-in datasets' cubes are the product's SQL, which never fills it), and each it lists
    has the column."""
    dim: Dimension = d.spec
    listed = (
        ["'all' includes the built-in datasets, which"]
        if dim.datasets == "all"
        else [name for name in dim.datasets if name in datasets and name not in local]
    )
    if listed:
        problems.append(
            f"{d.where}.datasets: {', '.join(listed)} cannot carry a dimension of your own read from "
            "records' columns: list the datasets of your own that carry it (or read it from the child's "
            "record with from_child)"
        )
    for name in () if dim.datasets == "all" else dim.datasets:
        if name in local and dim.id not in carried_dimensions((dim,), datasets[name], generated=True):
            problems.append(
                f"{d.where}.datasets: dataset {name!r} has no stored column {dim.cube_column!r}: name the "
                f'column that holds it in the dataset\'s dimensions ({dim.id} = "<column>")'
            )


def _check_kpi(
    d: Declared,
    measures: dict[str, Measure],
    dimensions: dict[str, Dimension],
    carried: tuple[str, ...],
    problems: list[str],
) -> None:
    """`carried`: the dimensions the KPI's dataset's records carry (a partnership's dataset carries
    only those it has the columns for)."""
    kpi: Kpi = d.spec
    _check_agency(d, kpi.agency, problems)
    if kpi.is_published and kpi.benchmark not in benchmark_sources():
        problems.append(
            f"{d.where}.benchmark: no published source {kpi.benchmark!r} in warehouse/benchmark_sources.toml; "
            f"known: {', '.join(benchmark_sources())}"
        )
    for role in ("numerator", "denominator"):
        measure_id = getattr(kpi, role)
        if measure_id is None:
            continue
        measure = measures.get(measure_id)
        if measure is None:
            problems.append(f"{d.where}.{role}: no measure {measure_id!r}")
        elif measure.dataset != kpi.dataset:
            problems.append(
                f"{d.where}.{role}: measure {measure_id!r} counts {measure.dataset}, not the KPI's dataset {kpi.dataset}"
            )
    if kpi.breakdown is not None:
        dimension = dimensions.get(kpi.breakdown)
        if dimension is None:
            problems.append(f"{d.where}.breakdown: no dimension {kpi.breakdown!r}")
        elif kpi.breakdown not in carried:
            problems.append(f"{d.where}.breakdown: dataset {kpi.dataset} does not carry {kpi.breakdown!r}")
    for dimension_id in kpi.benchmark_population:
        if dimension_id not in carried:
            problems.append(
                f"{d.where}.benchmark_population: dataset {kpi.dataset} has no dimension {dimension_id!r}"
            )
    numerator = measures.get(kpi.numerator or "")
    if numerator is not None and kpi.distinct_children != (numerator.timing == MeasureTiming.CHILDREN):
        problems.append(
            f"{d.where}.distinct_children: must be {not kpi.distinct_children} for measure {kpi.numerator!r} "
            f"(timing {numerator.timing})"
        )
    if numerator is not None and kpi.breakdown is not None and numerator.timing == MeasureTiming.CHILDREN:
        # A child may be in several parts (a record with each agency), so parts of a count of
        # children are not shares of its whole.
        problems.append(
            f"{d.where}.breakdown: a count of distinct children ({kpi.numerator!r}) is not split into parts"
        )
    if numerator is not None and (kpi.timing == Timing.STOCK) != (numerator.timing == MeasureTiming.STOCK):
        problems.append(
            f"{d.where}.timing: {kpi.timing} does not match measure {kpi.numerator!r} ({numerator.timing})"
        )
    if kpi.denominator is None and kpi.unit == "percent" and kpi.breakdown is None and not kpi.is_published:
        problems.append(f"{d.where}.denominator: a percent KPI needs a denominator (or a breakdown)")


def _check_page(d: Declared, kpis: dict[str, Kpi], measures: dict[str, Measure], problems: list[str]) -> None:
    page: Page = d.spec
    if page.id in RESERVED_PAGE_IDS:
        problems.append(f"{d.where}.id: /{page.id} is one of the app's own pages")
    for kpi_id in page.kpis:
        if kpi_id not in kpis:
            problems.append(f"{d.where}.kpis: no KPI {kpi_id!r}")
    for kpi_id in page.trends:
        if kpi_id not in page.kpis:
            problems.append(f"{d.where}.trends: {kpi_id!r} is not one of the page's KPIs")
        elif kpi_id in kpis and kpis[kpi_id].is_share:
            problems.append(f"{d.where}.trends: {kpi_id!r} is a share, which has no single figure to draw")
        elif kpi_id in kpis and kpis[kpi_id].is_published:
            problems.append(
                f"{d.where}.trends: {kpi_id!r} is published once a year, which its card draws: it has no monthly trend"
            )
    if page.by_area is not None:
        kpi = kpis.get(page.by_area)
        measure = measures.get(kpi.numerator or "") if kpi else None
        if page.by_area not in page.kpis:
            problems.append(f"{d.where}.by_area: {page.by_area!r} is not one of the page's KPIs")
        elif kpi and (
            kpi.denominator
            or kpi.is_share
            or kpi.is_published
            or (measure and measure.timing == MeasureTiming.CHILDREN)
        ):
            problems.append(
                f"{d.where}.by_area: {page.by_area!r} is not a count of events, so it does not split by area"
            )


def _check_priorities(priorities: list[Declared], kpis: list[Declared], problems: list[str]) -> None:
    """Each KPI's priority is declared and takes a single figure; each priority has a KPI to show."""
    declared = [d.key for d in priorities]
    for d in kpis:
        kpi: Kpi = d.spec
        if kpi.priority is None:
            continue
        if kpi.priority not in declared:
            problems.append(f"{d.where}.priority: no priority {kpi.priority!r}; known: {', '.join(declared)}")
        elif kpi.is_share:
            problems.append(
                f"{d.where}.priority: {kpi.id!r} is a share of a whole, which has no single figure to put in "
                "the scorecard"
            )
    named = {d.spec.priority for d in kpis}
    for d in priorities:
        if d.key not in named:
            problems.append(
                f"{d.where}: no KPI names this priority (a KPI's `priority`), so it would be empty"
            )


def _field(loc: tuple) -> str:
    return "".join(f".{part}" for part in loc)


def _kinds() -> str:
    return ", ".join(f"[[{kind}]]" for kind in KINDS) + f" and one [{BOARD}]"


# In $SAFEGUARD_HOME: the partnership's working copy, applied by `safeguard model apply`.
LOCAL_FOLDER = "model"


def stored_files(con: duckdb.DuckDBPyConnection) -> list[ModelFile]:
    """The partnership's files applied to this warehouse (`safeguard model apply`)."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'model_file'"
    ).fetchone()
    if not found or not found[0]:
        return []
    rows = con.execute("SELECT name, content FROM model_file ORDER BY name").fetchall()
    return [ModelFile(name, text) for name, text in rows]


def store_files(con: duckdb.DuckDBPyConnection, files: Sequence[ModelFile]) -> None:
    """Make `files` the partnership's applied model, in the caller's transaction."""
    con.execute("DELETE FROM model_file")
    for file in files:
        con.execute("INSERT INTO model_file VALUES (?, ?, current_timestamp)", [file.name, file.text])


def model_for(con: duckdb.DuckDBPyConnection) -> Model:
    """The model a warehouse was built with: the built-in files and the partnership's applied ones."""
    return _model_of(tuple(stored_files(con)))


@cache
def _model_of(local: tuple[ModelFile, ...]) -> Model:
    return read_model(local)


def builtin_model() -> Model:
    """The built-in model alone, read once per process."""
    return _model_of(())


def published_model(path: Path) -> Model:
    """The model of the warehouse file at `path`; the built-in one if there is no warehouse yet."""
    if not path.exists():
        return builtin_model()
    con = duckdb.connect(str(path), read_only=True)
    try:
        return model_for(con)
    finally:
        con.close()


# The model of the warehouse a load is writing, while it loads (model_of_load).
_LOADING: ContextVar[Model | None] = ContextVar("model_of_load", default=None)


def active_model() -> Model:
    """The model in use. In a load, that of the warehouse it writes, read under the load's lock, so a
    long-running loader (the inbox, the schedule) knows a dataset applied since it started. Otherwise
    the model this process serves: that of the published warehouse, read once. A partnership's files
    in $SAFEGUARD_HOME/model reach it only through `safeguard model apply`, so a broken file never
    reaches a running app, and every server of one warehouse serves the same model."""
    return _LOADING.get() or served_model()


@cache
def served_model() -> Model:
    from warehouse.settings import get_settings

    return published_model(get_settings().warehouse_path)


@contextmanager
def model_of_load(model: Model) -> Iterator[None]:
    token = _LOADING.set(model)
    try:
        yield
    finally:
        _LOADING.reset(token)


def dataset_title(name: str | None) -> str:
    """A dataset's title for people, from its one declaration; the areas file and unknown names as given."""
    model = active_model()
    for declared in (model.datasets, model.figures):
        if name is not None and name in declared:
            return declared[name].title
    return "Areas" if name == "areas" else (name or "")
