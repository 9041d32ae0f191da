"""Reproduces the cut of the three large published tables shipped in warehouse/data/real.

The product reads only some rows of absence_la.csv, la_conviction_health_outcome_cla.csv and
la_hospital_admissions_2324.csv (warehouse/benchmark_sources.toml). This keeps the header and every
line whose columns hold one of the wanted values, byte for byte as published: no value, column or
line ending is changed, and nothing is added. Run it on the unaltered downloads:

    python warehouse/data/cut_published.py /path/to/the/published/files

Every other file in data/real is shipped whole.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

REAL = Path(__file__).resolve().parent / "real"

# file -> {column: the values whose rows are kept}; a row is kept when every column matches.
CUTS: dict[str, dict[str, set[str]]] = {
    # Persistent and overall absence of all pupils of each social care group: the Total row of
    # phase_type_grouping (primary, secondary, special and AP rows are not read).
    "absence_la.csv": {"phase_type_grouping": {"Total"}},
    # Health assessments of children in care: the characteristic the KPI reads (its breakdowns
    # are the annual health assessment, immunisations, teeth checked, and the total).
    "la_conviction_health_outcome_cla.csv": {
        "characteristic": {"Health assessments: Children looked after all ages"}
    },
    # Persons (not the Male and Female rows), for areas rather than deprivation deciles.
    "la_hospital_admissions_2324.csv": {"Sex": {"Persons"}, "Category Type": {""}},
}


def cut(source: Path, target: Path, wanted: dict[str, set[str]]) -> tuple[int, int]:
    """Writes the header and the wanted lines of `source` to `target`: (lines read, lines kept)."""
    data = source.read_bytes()
    lines = data.splitlines(keepends=True)
    header = next(csv.reader([lines[0].decode("utf-8-sig")]))
    positions = {header.index(column): values for column, values in wanted.items()}
    kept = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader([line.decode("utf-8")]))
        if all(row[i] in values for i, values in positions.items()):
            kept.append(line)
    target.write_bytes(b"".join(kept))
    return len(lines) - 1, len(kept) - 1


def main(source_dir: str) -> None:
    for name, wanted in CUTS.items():
        read, kept = cut(Path(source_dir) / name, REAL / name, wanted)
        print(f"{name}: {kept} of {read} rows kept")


if __name__ == "__main__":
    main(sys.argv[1])
