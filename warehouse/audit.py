"""What the data team asks of the load audit: recent loads and the rejections of one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from warehouse.db import open_readonly
from warehouse.queries import run


def recent_loads(warehouse_path: Path, limit: int = 20) -> pd.DataFrame:
    with open_readonly(warehouse_path) as con:
        return run(con, "recent_loads", la_codes=None, limit=limit)


def load_rejections(warehouse_path: Path, load_id: int) -> pd.DataFrame:
    with open_readonly(warehouse_path) as con:
        return run(con, "load_rejections", load_id=load_id)
