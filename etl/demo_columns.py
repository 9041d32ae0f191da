"""The columns of the demo extracts, made from simulated numpy arrays, and the plain CSV they are
written as: shared by the social care demo (etl/demo.py) and the partner packs' (etl/demo_partners.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    """Dates are held as day numbers (days since 1970-01-01) while simulating."""
    return (d - EPOCH).days


def dates(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(days.astype(np.int32), mask=missing).cast(pa.date32())


def datetimes(minutes: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    seconds = pa.array(minutes.astype(np.int64) * 60, mask=missing).cast(pa.timestamp("s"))
    return pc.strftime(seconds, format="%Y-%m-%d %H:%M")


def codes(values: Sequence[str], index: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(list(values)).take(pa.array(index, mask=missing))


def write_csv(table: pa.Table, path: Path) -> Path:
    """Plain CSV: an unquoted header, ISO dates, blanks for missing values, no quotes
    (pyarrow refuses to write a value that would need them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, f, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return path
