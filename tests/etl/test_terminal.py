"""The command line's tables in a log: wide enough to read, not cut to 80 columns."""

from __future__ import annotations

import io

from rich.table import Table

from etl.terminal import NOT_A_TERMINAL_WIDTH, _Console

ROW = (
    "E08000021_contacts.csv",
    "contacts",
    "E08000021",
    "loaded_with_rejections",
    "59,751",
    "59,745",
    "6",
    "0",
)


def _printed(console: _Console) -> str:
    table = Table()
    for header in ("file", "dataset", "la", "status", "rows read", "loaded", "rejected", "replaced"):
        table.add_column(header)
    table.add_row(*ROW)
    console.print(table)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_a_table_written_to_a_file_keeps_its_cells_whole(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    printed = _printed(_Console(file=io.StringIO()))
    assert all(cell in printed for cell in ROW), printed
    assert max(map(len, printed.splitlines())) <= NOT_A_TERMINAL_WIDTH


def test_a_width_asked_for_is_the_one_used(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    printed = _printed(_Console(file=io.StringIO()))
    assert max(map(len, printed.splitlines())) <= 60 and "E08000021_contacts.csv" not in printed
