"""The app's reader sees a newly published warehouse without a restart."""

from __future__ import annotations

from warehouse.reader import WarehouseReader
from tests.helpers import write_extract


def test_reader_reopens_after_a_load_swaps_the_file(tmp_path, settings, load):
    load(write_extract(tmp_path / "a.csv", "contacts", [{}]))
    reader = WarehouseReader(settings.warehouse_path)
    assert list(reader.query("recent_loads", limit=10)["load_id"]) == [1]
    load(write_extract(tmp_path / "b.csv", "contacts", [{"contact_date": "2024-05-01"}]))
    assert list(reader.query("recent_loads", limit=10)["load_id"]) == [2, 1]
    reader.close()
