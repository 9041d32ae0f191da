"""Which months the loads cover, for each LA and dataset, and why a figure that reads others has none.

The cubes count 0 for a month with no rows, but a month that no load of a dataset covered is not
known to be 0: a dataset loaded for 2024/25 only says nothing of 2023/24. The engine gives a figure
that reads such a month, for any LA in scope, no value ("no data") and the reason from here.
A month is covered when successful loads' windows hold every day of it (as the periods offered end
at the last whole month loaded: warehouse/queries/data_months.sql).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import duckdb

from warehouse.kpis.periods import add_months, month_end
from warehouse.queries import run


@dataclass(frozen=True)
class Coverage:
    """For each (LA, dataset) of an engine call, the runs of days its loads cover, and the datasets'
    titles for the reasons."""

    la_codes: tuple[str, ...]
    runs: Mapping[tuple[str, str], tuple[tuple[date, date], ...]]
    titles: Mapping[str, str]

    def covers(self, la_code: str, dataset: str, first_of_month: date) -> bool:
        last_day = month_end(first_of_month)
        return any(
            first <= first_of_month and last_day <= last
            for first, last in self.runs.get((la_code, dataset), ())
        )

    def gap(self, reads: Iterable[tuple[str, Iterable[date]]]) -> str | None:
        """Why a figure that reads these months of these datasets has no value, or None if every LA in
        scope has them covered: 'Early help assessments not loaded for Apr 2023 to Mar 2024'."""
        wanted: dict[str, set[date]] = {}
        for dataset, months in reads:
            wanted.setdefault(dataset, set()).update(months)
        reasons = []
        for dataset, months in wanted.items():
            for la_code in self.la_codes:
                missing = sorted(m for m in months if not self.covers(la_code, dataset, m))
                if missing:
                    where = f" in {la_code}" if len(self.la_codes) > 1 else ""
                    reasons.append(
                        f"{self.titles.get(dataset, dataset)} not loaded for {month_spans(missing)}{where}"
                    )
        return "; ".join(reasons) or None


def read_coverage(
    con: duckdb.DuckDBPyConnection, la_codes: tuple[str, ...], titles: Mapping[str, str]
) -> Coverage:
    """The coverage of the LAs' loads of the datasets named in `titles` (name -> title): one query."""
    frame = run(con, "coverage", la_codes=list(la_codes), datasets=sorted(titles))
    runs: dict[tuple[str, str], tuple[tuple[date, date], ...]] = {}
    for la_code, dataset, first, last in zip(
        frame["la_code"], frame["dataset"], frame["first_day"].dt.date, frame["last_day"].dt.date
    ):
        runs[(la_code, dataset)] = (*runs.get((la_code, dataset), ()), (first, last))
    return Coverage(tuple(la_codes), runs, dict(titles))


def month_spans(months: list[date]) -> str:
    """Months in order as runs: 'Apr 2023', 'Apr 2023 to Mar 2024', 'Apr 2023, Jun 2023 to Jul 2023'."""
    spans: list[list[date]] = []
    for first_of_month in months:
        if spans and add_months(spans[-1][-1], 1) == first_of_month:
            spans[-1].append(first_of_month)
        else:
            spans.append([first_of_month])
    return ", ".join(f"{s[0]:%b %Y}" if len(s) == 1 else f"{s[0]:%b %Y} to {s[-1]:%b %Y}" for s in spans)
