"""The hand-written raw SQL baseline: the executive KPI cards counted straight from the fact tables
by one query written for them, as a good SQL developer would without any cube.

One statement reads, for the scope (one LA or all of England) and the months the cards span: each
flow's events by month with the flagged ones beside them (one pass per fact table), the plans open
at the end of each month a period ends in, and the children missing in each window the cards show,
from their episodes per child and month. bench/baseline.py times it on the same combinations as
the engine and the pandas baselines, and checks every figure equal to the engine's.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from bench.cards import Figures, Totals, card_periods, month_end
from warehouse.kpis.periods import Period, add_months

# {scope} is "" for all of England, else a condition on la_code; every other value is a parameter.
CARDS_SQL = """
WITH
flows AS (
    SELECT 'referrals' AS flow, date_trunc('month', referral_date) AS month,
           count(*) AS n, count(*) FILTER (WHERE is_rereferral_12m) AS flagged
    FROM referral
    WHERE referral_date >= $span_first AND referral_date < $span_after {scope}
    GROUP BY ALL
    UNION ALL
    SELECT 'icpcs', date_trunc('month', icpc_date), count(*), count(*) FILTER (WHERE icpc_working_days <= 15)
    FROM s47_enquiry
    WHERE icpc_date >= $span_first AND icpc_date < $span_after {scope}
    GROUP BY ALL
    UNION ALL
    SELECT 'starts', date_trunc('month', start_date), count(*), count(*) FILTER (WHERE is_repeat_plan)
    FROM cp_plan
    WHERE start_date >= $span_first AND start_date < $span_after {scope}
    GROUP BY ALL
    UNION ALL
    SELECT 'returns', date_trunc('month', end_datetime), count(*),
           count(*) FILTER (WHERE rhi_offered_datetime <= end_datetime + INTERVAL 72 HOUR)
    FROM missing_episode
    WHERE end_datetime >= $span_first AND end_datetime < $span_after {scope}
    GROUP BY ALL
),
month_ends AS (SELECT unnest($month_ends::DATE[]) AS month_end),
open_plans AS (
    SELECT 'open' AS flow, date_trunc('month', m.month_end) AS month, count(*) AS n,
           count(*) FILTER (WHERE p.start_date <= m.month_end - INTERVAL 2 YEAR) AS flagged
    FROM cp_plan AS p
    JOIN month_ends AS m ON p.start_date <= m.month_end AND (p.end_date IS NULL OR p.end_date > m.month_end)
    WHERE true {scope}
    GROUP BY ALL
),
per_child_month AS (
    SELECT child_id, date_trunc('month', start_datetime) AS month, count(*) AS episodes
    FROM missing_episode
    WHERE start_datetime >= $span_first AND start_datetime < $span_after {scope}
    GROUP BY ALL
),
windows AS (SELECT unnest($firsts::DATE[]) AS first_month, unnest($lasts::DATE[]) AS last_month),
per_child AS (
    SELECT w.first_month, w.last_month, c.child_id, sum(c.episodes) AS episodes
    FROM per_child_month AS c
    JOIN windows AS w ON c.month BETWEEN w.first_month AND w.last_month
    GROUP BY ALL
)
SELECT flow, month AS first_month, month AS last_month, n, flagged FROM flows
UNION ALL
SELECT flow, month, month, n, flagged FROM open_plans
UNION ALL
SELECT 'children', first_month, last_month, count(*), count(*) FILTER (WHERE episodes >= 2)
FROM per_child
GROUP BY ALL
"""


def _sql(la: str | None) -> str:
    return CARDS_SQL.format(scope="" if la is None else "AND la_code = $la")


def executive_kpis(con: duckdb.DuckDBPyConnection, la: str | None, period: Period) -> Figures:
    """Every figure of every executive KPI card for one LA (or England, la=None) and period."""
    periods = card_periods(period)
    windows = sorted({(p.first_month, p.last_month) for p in periods})
    params: dict[str, object] = {
        "span_first": min(p.first_month for p in periods),
        "span_after": add_months(max(p.last_month for p in periods), 1),
        "month_ends": sorted({month_end(p.last_month) for p in periods}),
        "firsts": [first for first, _ in windows],
        "lasts": [last for _, last in windows],
    }
    if la is not None:
        params["la"] = la
    flows: dict[str, dict[date, tuple[int, int]]] = {
        "referrals": {},
        "icpcs": {},
        "starts": {},
        "returns": {},
    }
    open_plans: dict[date, tuple[int, int]] = {}
    children: dict[tuple[date, date], tuple[int, int]] = {}
    for flow, first, last, n, flagged in con.execute(_sql(la), params).fetchall():
        first, last = _day(first), _day(last)
        if flow == "children":
            children[(first, last)] = (n, flagged)
        elif flow == "open":
            open_plans[first] = (n, flagged)
        else:
            flows[flow][first] = (n, flagged)
    return Totals(flows, open_plans, children).figures(periods)


def _day(value: date) -> date:
    """A month from DuckDB as a date: date_trunc of a timestamp gives a datetime."""
    return value.date() if isinstance(value, datetime) else value
