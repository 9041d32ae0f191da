"""The process's warehouse reader, made on first use so nothing opens DuckDB before a fork."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache, update_wrapper
from typing import Generic, ParamSpec, TypeVar

from warehouse.db import WarehouseError
from warehouse.reader import WarehouseReader
from warehouse.settings import get_settings


@cache
def reader() -> WarehouseReader:
    return WarehouseReader(get_settings().warehouse_path)


P = ParamSpec("P")
R = TypeVar("R")


class PerWarehouseFile(Generic[P, R]):
    """A function whose results are kept per published warehouse file: see per_warehouse_file."""

    def __init__(self, function: Callable[P, R], maxsize: int) -> None:
        def with_version(_version: tuple[int, int], *args: P.args, **kwargs: P.kwargs) -> R:
            return function(*args, **kwargs)

        self._name = function.__qualname__
        self._cached = lru_cache(maxsize=maxsize)(with_version)
        self.cache_clear = self._cached.cache_clear  # the benchmarks time pages with a cold cache
        update_wrapper(self, function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if kwargs:  # kept by position only, so that f(1) and f(x=1) are not two entries
            raise TypeError(f"{self._name} takes its arguments by position")
        return self._cached(reader().version, *args)


def per_warehouse_file(maxsize: int) -> Callable[[Callable[P, R]], PerWarehouseFile[P, R]]:
    """Keep a function's results per published warehouse file (and its hashable arguments): what is
    read from the warehouse changes only with a load, and a new load is never served from the cache."""

    def decorate(function: Callable[P, R]) -> PerWarehouseFile[P, R]:
        return PerWarehouseFile(function, maxsize)

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
