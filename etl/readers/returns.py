"""What the standard-return readers (SSDA903, Annex A, CIN census) share: laying their rows out
as a native extract, so that staging, privacy, validation and the load are the native ones.

The returns carry no record IDs and, except the CIN census, no LA code or coverage window. A
record's ID is built from the child's ID and the record's date (staging hashes it like the child
ID); the LA is named by the user; the window is the one the user names or the span the return's
own dates cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.errors import ExtractError
from etl.limits import clipped
from etl.readers.native_csv import RawExtract
from warehouse.model.datasets import Dataset

_TEXT_DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
)


def text_date(value: str | None) -> date | None:
    """A date written as text in one of the formats staging reads, or None."""
    if not value:
        return None
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def require_la(path: Path, la_code: str | None, what: str) -> str:
    if not la_code:
        raise ExtractError(path, f"{what} carries no LA code: name it with --la (for example E08000021)")
    return la_code


def financial_years(dates: Iterable[date]) -> tuple[date, date] | None:
    """The whole financial years (1 April to 31 March) that the dates fall in."""
    found = list(dates)
    if not found:
        return None
    first, last = min(found), max(found)
    first_year = first.year if first.month >= 4 else first.year - 1
    last_year = last.year if last.month >= 4 else last.year - 1
    return date(first_year, 4, 1), date(last_year + 1, 3, 31)


def span(dates: Iterable[date]) -> tuple[date, date] | None:
    found = list(dates)
    return (min(found), max(found)) if found else None


@dataclass
class NativeRows:
    """Rows of one dataset being laid out as a native extract, one `add` per source row."""

    path: Path
    dataset: Dataset
    part: str | None = None
    field_labels: dict[str, str] = field(default_factory=dict)
    derived_id_columns: tuple[str, ...] = ()
    carries_open_records: bool | None = None
    rows: list[dict[str, str | None]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    field_lines: dict[tuple[int, str], int] = field(default_factory=dict)

    @staticmethod
    def record_id(child_id: str | None, when: object) -> str:
        """The child's ID and the record's date. A second row of the same child and date is the same
        record given twice: one of them is dropped as a duplicate (etl/validate/duplicates.py), so the
        ID stays unique and what refers to it (an assessment to its referral) finds the one kept."""
        return f"{clipped(child_id, is_id=True) or ''}|{clipped(str(when)) if when else ''}"

    def add(
        self, row_number: int, values: Mapping[str, str | None], lines: Mapping[str, int] | None = None
    ) -> None:
        """One source row; `lines` gives the line of each field (by its label) where a row spans lines."""
        # IDs built by record_id are bounded already (and must not lose their date).
        self.rows.append(
            {
                name: value if name in self.derived_id_columns else clipped(value, name.endswith("_id"))
                for name, value in values.items()
            }
        )
        self.row_numbers.append(row_number)
        for label, line in (lines or {}).items():
            self.field_lines[(row_number, label)] = line

    def extract(self, la_code: str, window: tuple[date, date]) -> RawExtract:
        fixed = {
            "la_code": la_code,
            "coverage_start": window[0].isoformat(),
            "coverage_end": window[1].isoformat(),
        }
        columns = {
            name: pa.array([fixed.get(name) or (row.get(name) or None) for row in self.rows], pa.string())
            for name in self.dataset.column_names
        }
        return RawExtract(
            path=self.path,
            dataset=self.dataset,
            table=pa.table(columns),
            row_numbers=np.array(self.row_numbers, dtype=np.int64),
            encoding="utf-8",
            rows_read=len(self.rows),
            ignored_columns=self.ignored_columns,
            part=self.part,
            field_labels=self.field_labels,
            derived_id_columns=self.derived_id_columns,
            carries_open_records=self.carries_open_records,
            notes=self.notes,
            field_lines=self.field_lines,
        )
