"""The LA roll-ups held in memory for a read-only warehouse connection: what the engine reads for a
view with no filter but its scope (the executive set, every page as it first opens, England-wide
comparisons) without a query.

A read-only connection's warehouse cannot change while it is open (the app's snapshots: a load
publishes a new file, which the app opens as a new snapshot), so what is read from it once holds for
as long as the connection lives. Each part is read the first time a view needs it:

- a measure's monthly totals and cell keys for every LA and month (kpi_cube_la), as arrays;
- the children missing in every window of 1, 3, 6 and 12 months, per LA
  (missing_children_window_la): every period the pages offer is such a window;
- whatever else a caller reads once for the connection's life (`keep`): the windows of the loads,
  which say which months each LA's data covers (warehouse/kpis/coverage.py), the LAs' populations,
  an LA's published comparisons and its published figures by year.

A writable connection (a load, the command line, tests) gets nothing from here: its warehouse may
change between two calls, so the engine queries it every time.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import duckdb
import numpy as np

from warehouse.kpis.periods import add_months
from warehouse.kpis.registry import CHILD_MEASURES
from warehouse.kpis.suppression import Count
from warehouse.queries import run_rows

WINDOW_LENGTHS = frozenset({1, 3, 6, 12})  # the windows missing_children_window_la holds
# Its columns: each measure counted per window, then that count's cell key.
_WINDOW_MEASURES = ("missing_children", "missing_children_repeat", "missing_child_episodes")
T = TypeVar("T")


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


@dataclass
class _Grid:
    """Monthly totals of one measure: n and key, [LA, month]."""

    n: np.ndarray
    key: np.ndarray


@dataclass
class Resident:
    """What the engine may read in memory for one read-only connection's warehouse."""

    la_index: dict[str, int]
    first_month: date  # of the grids' month axis
    months: int
    grids: dict[str, _Grid] = field(default_factory=dict)
    windows: dict[tuple[date, date], np.ndarray] | None = None  # (first, last) -> [LA, 6]
    kept: dict[Hashable, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, key: Hashable, make: Callable[[], T]) -> T:
        """What `make` reads from the warehouse, made once for the connection: `key` names it (keys are
        few: a handful per LA at most)."""
        with self.lock:
            if key in self.kept:
                return self.kept[key]
        made = make()
        with self.lock:
            return self.kept.setdefault(key, made)

    def covers(self, la_codes: Iterable[str]) -> bool:
        """Whether the LAs include every LA the warehouse holds (a hub's England): the all-LA cube,
        kpi_cube_all, then holds their totals."""
        return set(self.la_index) <= set(la_codes)

    def scope(self, la_codes: Iterable[str]) -> np.ndarray:
        """The rows of the LAs in scope that have any (an LA with none counts 0 everywhere)."""
        return np.array([self.la_index[la] for la in la_codes if la in self.la_index], dtype=np.intp)

    def monthly(
        self,
        con: duckdb.DuckDBPyConnection,
        measures: list[str],
        la_codes: tuple[str, ...],
        first_month: date,
        last_month: date,
    ) -> dict[tuple[str, date], Count]:
        """Each measure's total for the LAs in each month from `first_month` to `last_month` that has any."""
        self._read_grids(con, measures)
        rows = self.scope(la_codes)
        start = max(_months_between(self.first_month, first_month), 0)
        stop = min(_months_between(self.first_month, last_month) + 1, self.months)
        found: dict[tuple[str, date], Count] = {}
        if start >= stop or not len(rows):
            return found
        months = [add_months(self.first_month, i) for i in range(start, stop)]
        for measure in measures:
            grid = self.grids[measure]
            ns = grid.n[rows, start:stop].sum(axis=0).tolist()
            keys = grid.key[rows, start:stop].sum(axis=0).tolist()
            for month, n, key in zip(months, ns, keys):
                if n:
                    found[(measure, month)] = Count(n, key)
        return found

    def _read_grids(self, con: duckdb.DuckDBPyConnection, measures: list[str]) -> None:
        with self.lock:
            wanted = [m for m in measures if m not in self.grids]
            if not wanted:
                return
            rows = run_rows(con, "resident_measures", measures=wanted)
            shape = (len(self.la_index), self.months)
            grids = {
                m: _Grid(np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)) for m in wanted
            }
            for measure, la_code, month, n, key in rows:
                at = (self.la_index[la_code], _months_between(self.first_month, month))
                grids[measure].n[at] = n
                grids[measure].key[at] = key
            self.grids.update(grids)

    def child_windows(
        self, con: duckdb.DuckDBPyConnection, la_codes: tuple[str, ...], windows: list[tuple[date, date]]
    ) -> dict[tuple[str, date, date], Count] | None:
        """The missing children's counts for the LAs in each window; None if a window is not one the
        roll-up holds (its length), for the engine to count them itself."""
        if any(_months_between(first, last) + 1 not in WINDOW_LENGTHS for first, last in windows):
            return None
        with self.lock:
            if self.windows is None:
                self.windows = self._read_windows(con)
        rows = self.scope(la_codes)
        found: dict[tuple[str, date, date], Count] = {}
        for first, last in windows:
            held = self.windows.get((first, last))
            totals = held[rows].sum(axis=0).tolist() if held is not None and len(rows) else [0] * 6
            for i, measure in enumerate(_WINDOW_MEASURES):
                found[(measure, first, last)] = Count(totals[i], totals[i + 3])
        return found

    def _read_windows(self, con: duckdb.DuckDBPyConnection) -> dict[tuple[date, date], np.ndarray]:
        held: dict[tuple[date, date], np.ndarray] = {}
        for la_code, first, last, *values in run_rows(con, "resident_child_windows"):
            counts = held.setdefault((first, last), np.zeros((len(self.la_index), 6), dtype=np.int64))
            if la_code in self.la_index:
                counts[self.la_index[la_code]] = values
        return held


_held: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, Resident | None] = weakref.WeakKeyDictionary()
_holding = threading.Lock()


def resident(con: duckdb.DuckDBPyConnection) -> Resident | None:
    """What is held in memory for this connection; None for a writable one, whose warehouse may change."""
    with _holding:
        if con in _held:
            return _held[con]
    found = _start(con)
    with _holding:
        return _held.setdefault(con, found)


def _start(con: duckdb.DuckDBPyConnection) -> Resident | None:
    if run_rows(con, "access_mode")[0][0] != "read_only":
        return None
    ((la_codes, first, last),) = run_rows(con, "resident_extent")
    if first is None:
        return Resident({}, date(2000, 1, 1), 0, windows={})
    return Resident({la: i for i, la in enumerate(la_codes)}, first, _months_between(first, last) + 1)


assert set(_WINDOW_MEASURES) == CHILD_MEASURES, "missing_children_window_la holds every per-child built-in"
