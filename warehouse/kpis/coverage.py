"""Which months the loads cover, for each LA and dataset, and why a figure that reads others has none.

The cubes count 0 for a month with no rows, but a month that no load of a dataset covered is not
known to be 0: a dataset loaded for 2024/25 only says nothing of 2023/24. The engine gives a figure
that reads such a month, for any LA in scope, no value ("no data") and the reason from here.
A month is covered from the month a successful load's window starts in to the last month it holds
to its last day: a window starts where its records start (an Annex A return's is dated by its first
contact, so that month's count is whole), but one that ends mid-month has not seen the rest of it
(as the periods offered end at the last whole month loaded: warehouse/queries/data_months.sql).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from warehouse.kpis.periods import add_months, month_start
from warehouse.queries import run_rows


@dataclass(frozen=True)
class Coverage:
    """Of the months an engine call reads, those each LA's loads of each dataset cover, and those
    covered for every LA in scope (what a figure checks first: its reason is needed only for a gap)."""

    la_codes: tuple[str, ...]
    covered: Mapping[tuple[str, str], frozenset[date]]  # (LA, dataset) -> first days of months covered
    everywhere: Mapping[str, frozenset[date]]  # dataset -> months covered for every LA in scope
    short: Mapping[str, tuple[str, ...]]  # dataset -> the LAs in scope that lack some of the months
    titles: Mapping[str, str]  # dataset -> its title, for the reasons

    def gap(self, reads: Iterable[tuple[str, Collection[date]]]) -> str | None:
        """Why a figure that reads these months of these datasets has no value, or None if every LA in
        scope has them covered: 'Early help assessments not loaded for Apr 2023 to Mar 2024'."""
        reasons = []
        for dataset, months in reads:
            if self.everywhere.get(dataset, frozenset()).issuperset(months):
                continue
            for la_code in self.short.get(dataset, ()):
                missing = sorted(set(months) - self.covered.get((la_code, dataset), frozenset()))
                if missing:
                    where = f" in {la_code}" if len(self.la_codes) > 1 else ""
                    reason = (
                        f"{self.titles.get(dataset, dataset)} not loaded for {month_spans(missing)}{where}"
                    )
                    reasons.append(reason)
        return "; ".join(dict.fromkeys(reasons)) or None


def read_coverage(
    con: duckdb.DuckDBPyConnection,
    la_codes: tuple[str, ...],
    titles: Mapping[str, str],
    first_month: date,
    last_month: date,
) -> Coverage:
    """Which of the months from `first_month` to `last_month` the LAs' loads of the datasets named in
    `titles` (name -> title) cover: one query."""
    rows = run_rows(con, "coverage", la_codes=list(la_codes), datasets=sorted(titles))
    return coverage_of(rows, la_codes, titles, first_month, last_month)


def coverage_of(
    load_windows: Iterable[tuple[str, str, date, date]],
    la_codes: tuple[str, ...],
    titles: Mapping[str, str],
    first_month: date,
    last_month: date,
) -> Coverage:
    """`read_coverage` from the loads' windows (LA, dataset, first day, last day: queries/coverage.sql),
    of which those of other LAs and datasets are left aside."""
    in_scope = set(la_codes)
    windows: dict[tuple[str, str], list[tuple[date, date]]] = {}
    for la_code, dataset, first, last in load_windows:
        if la_code in in_scope and dataset in titles:
            windows.setdefault((la_code, dataset), []).append((first, last))
    wanted = _months(first_month, last_month)
    months_of: dict[tuple[tuple[date, date], ...], frozenset[date]] = {}  # LAs often share their windows
    covered = {}
    for key, found in windows.items():
        joined = tuple(runs(found))
        if joined not in months_of:
            months_of[joined] = frozenset(_months_covered(joined, wanted))
        covered[key] = months_of[joined]
    everywhere, short = {}, {}
    for dataset in titles:
        of_each = {la: covered.get((la, dataset), frozenset()) for la in la_codes}
        everywhere[dataset] = frozenset(wanted).intersection(*of_each.values())
        short[dataset] = tuple(la for la, months in of_each.items() if len(months) < len(wanted))
    return Coverage(tuple(la_codes), covered, everywhere, short, dict(titles))


def runs(windows: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Windows joined where they overlap or meet (one ends the day before the next starts)."""
    joined: list[tuple[date, date]] = []
    for first, last in sorted(windows):
        if joined and first <= joined[-1][1] + timedelta(days=1):
            joined[-1] = (joined[-1][0], max(joined[-1][1], last))
        else:
            joined.append((first, last))
    return joined


def _months(first_month: date, last_month: date) -> list[date]:
    months = [first_month]
    while months[-1] < last_month:
        months.append(add_months(months[-1], 1))
    return months


def _months_covered(joined: Iterable[tuple[date, date]], wanted: list[date]) -> Iterable[date]:
    """The wanted months from the month a run of days starts in to the last month it holds to the end."""
    for first, last in joined:
        after_last_whole = month_start(last + timedelta(days=1))  # a run to the 31st holds its month
        yield from (m for m in wanted if month_start(first) <= m < after_last_whole)


def month_spans(months: list[date]) -> str:
    """Months in order as runs: 'Apr 2023', 'Apr 2023 to Mar 2024', 'Apr 2023, Jun 2023 to Jul 2023'."""
    spans: list[list[date]] = []
    for first_of_month in months:
        if spans and add_months(spans[-1][-1], 1) == first_of_month:
            spans[-1].append(first_of_month)
        else:
            spans.append([first_of_month])
    return ", ".join(f"{s[0]:%b %Y}" if len(s) == 1 else f"{s[0]:%b %Y} to {s[-1]:%b %Y}" for s in spans)
