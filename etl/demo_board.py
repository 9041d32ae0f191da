"""The demo partnerships' board (etl/demo_board.toml): written into the demo home's own model folder
by `safeguard demo`, as a partnership writes its [board], and applied with the rest of its model."""

from __future__ import annotations

from pathlib import Path

from warehouse.model.files import LOCAL_FOLDER

DEMO_BOARD = Path(__file__).with_name("demo_board.toml")
BOARD_FILE = "board.toml"


def write_demo_board(home: Path) -> Path | None:
    """The demo board as home/model/board.toml; None, writing nothing, when the home's model folder
    already has a file of that name (a partnership's own board is never overwritten)."""
    folder = home / LOCAL_FOLDER
    path = folder / BOARD_FILE
    if path.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(DEMO_BOARD.read_text(encoding="utf-8"), encoding="utf-8")
    return path
