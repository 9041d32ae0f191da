"""The process's warehouse reader, made on first use so nothing opens DuckDB before a fork."""

from __future__ import annotations

from functools import cache

from warehouse.db import WarehouseError
from warehouse.reader import WarehouseReader
from warehouse.settings import get_settings


@cache
def reader() -> WarehouseReader:
    return WarehouseReader(get_settings().warehouse_path)


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
