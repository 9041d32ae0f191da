"""The process's warehouse reader, made on first use so nothing opens DuckDB before a fork."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache, wraps
from typing import ParamSpec, TypeVar

from warehouse.db import WarehouseError
from warehouse.reader import WarehouseReader
from warehouse.settings import get_settings


@cache
def reader() -> WarehouseReader:
    return WarehouseReader(get_settings().warehouse_path)


P = ParamSpec("P")
R = TypeVar("R")


def per_warehouse_file(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Keep a function's results per published warehouse file (and its hashable arguments): what is
    read from the warehouse changes only with a load, and a new load is never served from the cache."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @lru_cache(maxsize=maxsize)
        def cached(_version: tuple[int, int], *args):
            return function(*args)

        @wraps(function)
        def keyed(*args: P.args) -> R:
            return cached(reader().version, *args)

        keyed.cache_clear = cached.cache_clear  # the benchmarks time pages with a cold cache
        return keyed

    return decorate


def pin_snapshot() -> None:
    """Before a request: all its queries will run on the warehouse as it is now."""
    from flask import g

    try:
        g.warehouse_pin = reader().pin()
    except WarehouseError:
        g.warehouse_pin = None  # no warehouse yet: the pages say so themselves


def release_snapshot(_error: BaseException | None = None) -> None:
    from flask import g

    token = g.pop("warehouse_pin", None)
    if token is not None:
        reader().release(token)
