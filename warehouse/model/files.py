"""Reading the model: the built-in files shipped with the product, then a partnership's own.

A model file is TOML holding any of `[[layout]]`, `[[dataset]]`, `[[dimension]]`, `[[measure]]` and
`[[kpi]]` tables. The built-in ones are in warehouse/model/builtin; a partnership adds its own in
$SAFEGUARD_HOME/model.
Everything is checked before anything is used: a mistake is refused with the file, the key and the
reason, and nothing of a refused model reaches the warehouse or the app.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from warehouse.kpis.model import Kpi, Timing
from warehouse.model.datasets import Dataset, Kind, Layout, Privacy, code_list_names
from warehouse.model.specs import Dimension, Measure, MeasureTiming

BUILTIN_DIR = Path(__file__).with_name("builtin")
KINDS: dict[str, type[BaseModel]] = {
    "layout": Layout,
    "dataset": Dataset,
    "dimension": Dimension,
    "measure": Measure,
    "kpi": Kpi,
}

# Names the app and the cubes use for themselves: a dimension may not take them.
RESERVED_URL_KEYS = frozenset({"period", "la", "kpi", "year", "section", "chart", "limits"})
RESERVED_COLUMNS = frozenset(
    {"la_code", "month", "measure", "n", "key_sum", "child_id", "episodes", "child_key", "episode_keys"}
)


class ModelError(ValueError):
    """A model file that cannot be used, with where and why."""

    def __init__(self, problems: list[str]):
        self.problems = sorted(problems, key=lambda problem: problem.split(":")[0])  # by file, in order
        super().__init__("the model has mistakes:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class Declared:
    """One declaration and where it came from, for messages."""

    kind: str
    spec: Any
    file: Path
    index: int

    @property
    def key(self) -> str:
        """What the declaration is known by: a dataset's or a layout's name, anything else's id."""
        return _key(self.spec)

    @property
    def where(self) -> str:
        return f"{self.file.name}: {self.kind}[{self.index}] ({self.key!r})"

    @property
    def is_builtin(self) -> bool:
        return self.file.parent == BUILTIN_DIR


@dataclass(frozen=True)
class Model:
    datasets: dict[str, Dataset]  # by name, in the order declared
    dimensions: tuple[Dimension, ...]
    measures: dict[str, Measure]
    kpis: dict[str, Kpi]
    files: tuple[Path, ...] = field(default=())

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(f"no dimension {dimension_id!r}; known: {', '.join(d.id for d in self.dimensions)}")

    def dimensions_of(self, dataset: str) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions if d.carried_by(dataset))

    @property
    def executive_kpis(self) -> tuple[str, ...]:
        return tuple(kpi.id for kpi in self.kpis.values() if kpi.executive)


def read_model(local_dir: Path | None = None) -> Model:
    """The built-in model with a partnership's files (`local_dir`, if it exists) added to it."""
    builtin = sorted(BUILTIN_DIR.glob("*.toml"))
    local = sorted(local_dir.glob("*.toml")) if local_dir is not None and local_dir.is_dir() else []
    problems: list[str] = []
    declared: list[Declared] = []
    for path in [*builtin, *local]:
        declared += _read_file(path, problems)
    model = _assemble(declared, problems)
    if problems:
        raise ModelError(problems)
    return Model(**model, files=(*builtin, *local))


def _read_file(path: Path, problems: list[str]) -> list[Declared]:
    try:
        content = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        problems.append(f"{path.name}: not valid TOML: {error}")
        return []
    found = []
    for key, tables in content.items():
        if key not in KINDS:
            problems.append(f"{path.name}: unknown section {key!r}: a model file holds {_kinds()}")
            continue
        if not isinstance(tables, list):
            problems.append(f"{path.name}: {key}: write each one as [[{key}]]")
            continue
        for index, table in enumerate(tables):
            name = table.get("id", table.get("name"))
            label = f"{path.name}: {key}[{index}]" + (f" ({name!r})" if name is not None else "")
            try:
                found.append(Declared(key, KINDS[key].model_validate(table), path, index))
            except ValidationError as error:
                problems += [f"{label}{_field(e['loc'])}: {e['msg']}" for e in error.errors()]
    return found


def _assemble(declared: list[Declared], problems: list[str]) -> dict:
    by_kind: dict[str, dict[str, Declared]] = {kind: {} for kind in KINDS}
    for d in declared:
        word = "id" if hasattr(d.spec, "id") else "name"
        first = by_kind[d.kind].get(d.key)
        if first is None:
            by_kind[d.kind][d.key] = d
        elif first.is_builtin and not d.is_builtin:
            problems.append(f"{d.where}: {word} clashes with a built-in {d.kind}: choose another {word}")
        else:
            problems.append(f"{d.where}: {d.kind} {word} already declared in {first.file.name}")
    layouts = {name: d.spec for name, d in by_kind["layout"].items()}
    datasets = _datasets(list(by_kind["dataset"].values()), layouts, problems)
    dimensions = [d.spec for d in by_kind["dimension"].values()]
    measures = {i: d.spec for i, d in by_kind["measure"].items()}
    for d in by_kind["measure"].values():
        if d.spec.dataset not in datasets:
            problems.append(f"{d.where}.dataset: no dataset {d.spec.dataset!r}; known: {', '.join(datasets)}")
    _check_dimensions(list(by_kind["dimension"].values()), set(datasets), problems)
    kpis = {}
    for kpi_id, d in by_kind["kpi"].items():
        _check_kpi(d, measures, dimensions, problems)
        carried = tuple(dim.id for dim in dimensions if dim.carried_by(d.spec.dataset))
        kpis[kpi_id] = d.spec.model_copy(update={"dimensions": carried})
    return {"datasets": datasets, "dimensions": tuple(dimensions), "measures": measures, "kpis": kpis}


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
        layout = layouts.get(dataset.layout)
        if layout is None:
            problems.append(f"{d.where}.layout: no layout {dataset.layout!r}; known: {', '.join(layouts)}")
            continue
        owner = tables.setdefault(dataset.table, d)
        if owner is not d:
            clash = "a built-in dataset" if owner.is_builtin and not d.is_builtin else "dataset"
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
        datasets[dataset.name] = laid_out
    return datasets


def _key(spec: Any) -> str:
    return spec.id if hasattr(spec, "id") else spec.name


def _check_dimensions(declared: list[Declared], datasets: set[str], problems: list[str]) -> None:
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


def _check_kpi(
    d: Declared, measures: dict[str, Measure], dimensions: list[Dimension], problems: list[str]
) -> None:
    kpi: Kpi = d.spec
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
        dimension = next((dim for dim in dimensions if dim.id == kpi.breakdown), None)
        if dimension is None:
            problems.append(f"{d.where}.breakdown: no dimension {kpi.breakdown!r}")
        elif not dimension.carried_by(kpi.dataset):
            problems.append(f"{d.where}.breakdown: dataset {kpi.dataset} does not carry {kpi.breakdown!r}")
    for dimension_id in kpi.benchmark_population:
        if not any(dim.id == dimension_id and dim.carried_by(kpi.dataset) for dim in dimensions):
            problems.append(
                f"{d.where}.benchmark_population: dataset {kpi.dataset} has no dimension {dimension_id!r}"
            )
    numerator = measures.get(kpi.numerator)
    if numerator is not None and kpi.distinct_children != (numerator.timing == MeasureTiming.CHILDREN):
        problems.append(
            f"{d.where}.distinct_children: must be {not kpi.distinct_children} for measure {kpi.numerator!r} "
            f"(timing {numerator.timing})"
        )
    if numerator is not None and (kpi.timing == Timing.STOCK) != (numerator.timing == MeasureTiming.STOCK):
        problems.append(
            f"{d.where}.timing: {kpi.timing} does not match measure {kpi.numerator!r} ({numerator.timing})"
        )
    if kpi.denominator is None and kpi.unit == "percent" and kpi.breakdown is None:
        problems.append(f"{d.where}.denominator: a percent KPI needs a denominator (or a breakdown)")


def _field(loc: tuple) -> str:
    return "".join(f".{part}" for part in loc)


def _kinds() -> str:
    return ", ".join(f"[[{kind}]]" for kind in KINDS)


LOCAL_FOLDER = "model"


def dataset_title(name: str | None) -> str:
    """A dataset's title for people, from its one declaration; the areas file and unknown names as given."""
    datasets = active_model().datasets
    if name in datasets:
        return datasets[name].title
    return "Areas" if name == "areas" else (name or "")


@cache
def active_model() -> Model:
    """The built-in model and the partnership's own files, read once per process."""
    from warehouse.settings import get_settings

    return read_model(get_settings().home / LOCAL_FOLDER)
