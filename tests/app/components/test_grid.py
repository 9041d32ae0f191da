"""The product's grids: a header wraps between its words, never inside one."""

from __future__ import annotations

import pandas as pd

from app.components.grid import grid


def _min_widths(frame: pd.DataFrame, columns: dict[str, str], wide: tuple[str, ...] = ()) -> dict[str, int]:
    return {c["field"]: c["minWidth"] for c in grid("g", frame, columns, wide=wide).columnDefs}


def test_a_column_is_as_wide_as_its_headers_longest_word():
    frame = pd.DataFrame(
        {"corrections": [1], "tolerance": [5.0], "status": ["late"], "note": ["x"], "n": [2]}
    )
    widths = _min_widths(
        frame,
        {
            "corrections": "Corrections",
            "tolerance": "Tolerance (%)",
            "status": "State",
            "note": "Note",
            "n": "Rows",
        },
        wide=("note",),
    )
    # 9 px a letter and 56 px of padding and filter button: "Corrections" 11 letters, 9 * 11 + 56 = 155;
    # "Tolerance" 9 letters, 137. Short headers keep the defaults: 105 a number, 135 text, 160 wide text.
    assert widths == {"corrections": 155, "tolerance": 137, "status": 135, "note": 160, "n": 105}
