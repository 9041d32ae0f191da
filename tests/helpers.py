"""Small hand-made extracts for tests: every column defaults to its documented example."""

from __future__ import annotations

import csv
from pathlib import Path

from etl.datasets import DATASETS

TODAY = "2025-06-30"  # the load date the row-rule tests pretend it is


def extract_rows(dataset: str, rows: list[dict[str, str]], **file_values: str) -> list[dict[str, str]]:
    """Rows of a native extract: the documented examples, overridden per row and per file."""
    spec = DATASETS[dataset]
    defaults = {c.name: c.example for c in spec.columns} | file_values
    return [defaults | {spec.id_column: f"{spec.id_column[:2].upper()}{i + 1}"} | row for i, row in enumerate(rows)]


def write_extract(path: Path, dataset: str, rows: list[dict[str, str]], **file_values: str) -> Path:
    spec = DATASETS[dataset]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(spec.column_names), extrasaction="raise")
        writer.writeheader()
        writer.writerows(extract_rows(dataset, rows, **file_values))
    return path
