"""Reading the model: the built-in files shipped with the product, then a partnership's own.

A model file is TOML holding any of `[[dimension]]`, `[[measure]]` and `[[kpi]]` tables. The
built-in ones are in warehouse/model/builtin; a partnership adds its own in $SAFEGUARD_HOME/model.
Everything is checked before anything is used: a mistake is refused with the file, the key and the
reason, and nothing of a refused model reaches the warehouse or the app.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from warehouse.kpis.model import Kpi, Timing
from warehouse.model.specs import Dimension, Measure, MeasureTiming

BUILTIN_DIR = Path(__file__).with_name("builtin")
KINDS: dict[str, type[BaseModel]] = {"dimension": Dimension, "measure": Measure, "kpi": Kpi}

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
    def where(self) -> str:
        return f"{self.file.name}: {self.kind}[{self.index}] ({self.spec.id!r})"


@dataclass(frozen=True)
class Model:
    dimensions: tuple[Dimension, ...]
    measures: dict[str, Measure]
    kpis: dict[str, Kpi]
    files: tuple[Path, ...] = field(default=())

    @cached_property
    def datasets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.dataset for m in self.measures.values()))

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
            label = f"{path.name}: {key}[{index}]" + (f" ({table['id']!r})" if "id" in table else "")
            try:
                found.append(Declared(key, KINDS[key].model_validate(table), path, index))
            except ValidationError as error:
                problems += [f"{label}{_field(e['loc'])}: {e['msg']}" for e in error.errors()]
    return found


def _assemble(declared: list[Declared], problems: list[str]) -> dict:
    by_kind: dict[str, dict[str, Declared]] = {kind: {} for kind in KINDS}
    for d in declared:
        first = by_kind[d.kind].get(d.spec.id)
        if first is None:
            by_kind[d.kind][d.spec.id] = d
        elif first.file.parent == BUILTIN_DIR and d.file.parent != BUILTIN_DIR:
            problems.append(f"{d.where}: id clashes with a built-in {d.kind}: choose another id")
        else:
            problems.append(f"{d.where}: {d.kind} id already declared in {first.file.name}")
    dimensions = [d.spec for d in by_kind["dimension"].values()]
    measures = {i: d.spec for i, d in by_kind["measure"].items()}
    datasets = {m.dataset for m in measures.values()}
    _check_dimensions(list(by_kind["dimension"].values()), datasets, problems)
    kpis = {}
    for kpi_id, d in by_kind["kpi"].items():
        _check_kpi(d, measures, dimensions, problems)
        carried = tuple(dim.id for dim in dimensions if dim.carried_by(d.spec.dataset))
        kpis[kpi_id] = d.spec.model_copy(update={"dimensions": carried})
    return {"dimensions": tuple(dimensions), "measures": measures, "kpis": kpis}


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


@cache
def active_model() -> Model:
    """The built-in model and the partnership's own files, read once per process."""
    from warehouse.settings import get_settings

    return read_model(get_settings().home / LOCAL_FOLDER)
