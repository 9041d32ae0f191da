"""Figures entered by hand (training reach, audit results, survey scores): one figure at a time,
checked as a file's row is and recorded as a submission whose source is 'manual', with who and when.

`enter_figure` is what the web form and `safeguard enter` call.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from etl.load.figures import MANUAL_FORMAT
from etl.pipeline import FileOutcome, figures_outcomes, publish_figures
from etl.readers.figures import FigureRow, FiguresFile
from etl.validate.figures import Submitter
from warehouse.model.files import published_model
from warehouse.settings import Settings

# Where a message about an entered figure points, in place of a file's name.
ENTRY = Path("manual entry")


def enter_figure(
    settings: Settings,
    *,
    measure: str,
    la_code: str,
    period: str,
    value: str,
    submitter: Submitter,
    part: str = "",
    not_available: bool = False,
    today: date | None = None,
) -> FileOutcome:
    """Record one figure (value as typed: '12', '3.5'; blank with not_available). Returns the load's
    outcome: loaded (with its submission_id), unchanged (the same figure again) or failed, with the
    reasons in its rejections (each naming the field)."""
    model = published_model(settings.warehouse_path)
    spec = model.measures.get(measure)
    if spec is None or spec.dataset not in model.figures:
        known = ", ".join(m for m, s in model.measures.items() if s.dataset in model.figures)
        raise ValueError(f"{measure!r} is not a measure of submitted figures; known: {known or 'none'}")
    dataset = model.figures[spec.dataset]
    row = FigureRow(
        1,
        {
            "dataset": dataset.name,
            "agency": dataset.agency,
            "period": period.strip(),
            "la_code": la_code.strip(),
            "measure": measure,
            "part": part.strip(),
            "value": value.strip(),
            "not_available": "yes" if not_available else "",
        },
    )
    submitter = dataclasses.replace(submitter, via="manual")
    file = FiguresFile(ENTRY, None, [row], numbered=False)
    day = today or date.today()
    (outcome,) = publish_figures(
        settings,
        submitter,
        lambda: figures_outcomes(file, None, MANUAL_FORMAT, submitter, day),
        record_refusal=False,
    )
    return outcome
