"""The process's warehouse reader, made on first use so nothing opens DuckDB before a fork."""

from __future__ import annotations

from functools import cache

from warehouse.reader import WarehouseReader
from warehouse.settings import get_settings


@cache
def reader() -> WarehouseReader:
    return WarehouseReader(get_settings().warehouse_path)
