"""The scratch database: one per process, and each use's tables its own, whatever thread it runs on."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from etl.scratch import scratch


def test_uses_at_once_on_several_threads_each_see_only_their_own_table():
    def total(n: int) -> int:
        with scratch() as con:
            con.register("rows", pa.table({"x": list(range(n))}))
            return con.sql("SELECT sum(x) FROM rows").fetchall()[0][0]

    with ThreadPoolExecutor(4) as pool:
        sums = list(pool.map(total, [10, 100, 1000, 10_000] * 5))
    # 0 + 1 + ... + (n - 1) = n(n - 1)/2
    assert sums == [45, 4950, 499500, 49995000] * 5


def test_a_use_cannot_see_an_earlier_uses_table():
    with scratch() as con:
        con.register("rows", pa.table({"x": [1]}))
    with scratch() as con:
        assert con.sql("SELECT count(*) FROM duckdb_views() WHERE view_name = 'rows'").fetchall() == [(0,)]
