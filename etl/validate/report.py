"""Turning rule failures into rejections a person can act on.

Every message names the row (as a spreadsheet numbers it), the field, the value as it was
written in the file, and what is wrong with it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from etl.errors import Rejection
from etl.staging.codes import known_codes
from etl.staging.native import StagedExtract
from etl.validate.schemas import RULES, Failure, expected_format
from warehouse.model.datasets import EARLIEST_DATE

# When one field breaks several rules, say the most useful one.
_PRIORITY = ["unparseable", "missing", "unknown_code", "duplicate_id"]


def rejections_from_failures(staged: StagedExtract, failures: list[Failure], today: date) -> list[Rejection]:
    if not failures:
        return []
    raw = staged.raw
    dataset = staged.dataset
    cases: dict[tuple[int, str], str] = {}
    for position, field, rule in failures:
        current = cases.get((position, field))
        if current is None or _rank(rule) < _rank(current):
            cases[(position, field)] = rule
    id_positions: dict[str, int] | None = None
    rejections = []
    for (position, field), rule in sorted(cases.items()):
        # A record ID built from the child's ID would show that ID: say which row, not what it holds.
        value = None if field in raw.derived_id_columns else raw.table[field][position].as_py()
        context = {
            "field": raw.label(field),
            "value": value if value is not None else "",
            "today": today.isoformat(),
            "start": staged.coverage_start.isoformat(),
            "end": staged.coverage_end.isoformat(),
            "earliest": EARLIEST_DATE.isoformat(),
        }
        rule_id = rule
        if rule == "unparseable":
            context["expected"] = expected_format(dataset.column(field).kind)
        elif rule == "unknown_code":
            codes = known_codes(dataset.column(field).code_list)
            context["codes"] = "expected one of " + ", ".join(codes)
        elif rule == "duplicate_id":
            if id_positions is None:
                id_positions = _first_positions(raw.table[dataset.id_column].to_pandas())
            context["first_row"] = int(raw.row_numbers[id_positions[raw.table[field][position].as_py()]])
        elif rule.startswith("before_"):
            earlier = rule.removeprefix("before_")
            context["earlier"] = raw.label(earlier)
            context["earlier_value"] = raw.table[earlier][position].as_py()
            reason = dataset.order_reason(field, earlier)
            context["reason"] = f": {reason}" if reason else ""
            rule_id = "before"
        message = RULES[rule_id].message.format(**context)
        rejections.append(
            Rejection(
                row_number=int(raw.row_numbers[position]),
                field=raw.label(field),
                value=None if value is None else str(value),
                rule=rule,
                message=message,
            )
        )
    return rejections


def _rank(rule: str) -> int:
    return _PRIORITY.index(rule) if rule in _PRIORITY else len(_PRIORITY)


def _first_positions(ids: pd.Series) -> dict[str, int]:
    first = ~ids.duplicated(keep="first") & ids.notna()
    return dict(zip(ids[first], np.flatnonzero(first.to_numpy())))


def rejected_positions(staged: StagedExtract, rejections: list[Rejection]) -> np.ndarray:
    """Table positions of the rejected rows (a row with any rejection does not load)."""
    rows = {r.row_number for r in rejections}
    return np.flatnonzero(np.isin(staged.raw.row_numbers, list(rows)))
