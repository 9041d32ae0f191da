"""The reference part of docs/model.md, made from the model itself: what a model file may declare
(from the fields' descriptions) and what the built-in model already has to build on."""

from __future__ import annotations

from pydantic import BaseModel

from warehouse.kpis.model import Kpi
from warehouse.model.datasets import Column, Dataset
from warehouse.model.figures import FiguresDataset
from warehouse.model.files import Model
from warehouse.model.specs import Board, BoardPriority, Dimension, Measure, Page, Priority


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def fields_table(spec: type[BaseModel]) -> str:
    lines = ["| key | required | what it is |", "|---|---|---|"]
    for name, field in spec.model_fields.items():
        if (name == "dimensions" and spec is Kpi) or (name == "own_columns" and spec is Dataset):
            continue  # filled in by the model, never written
        default = field.get_default(call_default_factory=True)
        default = str(default).lower() if isinstance(default, bool) else default  # as TOML writes it
        required = (
            "yes"
            if field.is_required()
            else f"no (default `{default}`)"
            if default not in (None, (), {}, "")
            else "no"
        )
        lines.append(f"| `{name}` | {_cell(required)} | {_cell(field.description or '')} |")
    return "\n".join(lines)


def _values(dimension: Dimension) -> str:
    fixed = dimension.fixed_values()
    if fixed is not None:
        return ", ".join(fixed.values())
    ref = dimension.reference
    return f"from `{ref.table}`" if ref else ""


def model_reference(model: Model) -> str:
    dims = ["| id | URL key | filter label | datasets | values |", "|---|---|---|---|---|"]
    dims += [
        f"| `{d.id}` | `{d.url_key}` | {d.label} | "
        f"{'all' if d.datasets == 'all' else ', '.join(d.datasets)} | {_cell(_values(d))} |"
        for d in model.dimensions
    ]
    measures = ["| id | dataset | timing | what it counts |", "|---|---|---|---|"]
    measures += [
        f"| `{m.id}` | {m.dataset} | {m.timing} | {_cell(m.description)} |" for m in model.measures.values()
    ]
    figures = [
        "| name | title | agency | cadence | due, days after a period | measures |",
        "|---|---|---|---|---|---|",
    ]
    figures += [
        f"| `{f.name}` | {_cell(f.title)} | {f.agency} | {f.cadence} | {f.deadline_days} | "
        f"{', '.join(f'`{m.id}`' for m in model.figure_measures(f.name))} |"
        for f in model.figures.values()
    ]
    pages = ["| page | title | KPIs |", "|---|---|---|"]
    pages += [f"| `/{p.id}` | {p.title} | {', '.join(f'`{k}`' for k in p.kpis)} |" for p in model.pages]
    priorities = ["| id | title | KPIs, in the scorecard's order |", "|---|---|---|"]
    priorities += [
        f"| `{p.id}` | {_cell(p.title)} | {', '.join(f'`{k}`' for k in model.priority_kpis(p.id))} |"
        for p in model.priorities
    ]
    return "\n\n".join(
        [
            "## Reference",
            "### What a `[[dataset]]` declares",
            fields_table(Dataset),
            "### What each of its `[[dataset.columns]]` declares",
            fields_table(Column),
            '### What a `[[dataset]]` of figures (`kind = "figures"`) declares',
            fields_table(FiguresDataset),
            "### What a `[[kpi]]` declares",
            fields_table(Kpi),
            "### What a `[[dimension]]` declares",
            fields_table(Dimension),
            "### What a `[[measure]]` declares",
            fields_table(Measure),
            "### What a `[[page]]` declares",
            fields_table(Page),
            "### What a `[[priority]]` declares",
            fields_table(Priority),
            "### What a `[board]` declares",
            fields_table(Board),
            "### What each of its `[[board.priority]]` declares",
            fields_table(BoardPriority),
            "### The built-in dimensions",
            "\n".join(dims),
            "### The built-in measures",
            "\n".join(measures),
            "### The built-in datasets of figures submitted by agencies",
            "\n".join(figures) if model.figures else "None yet.",
            "### The built-in pages",
            "\n".join(pages),
            "### The built-in scorecard priorities",
            "\n".join(priorities),
        ]
    )
