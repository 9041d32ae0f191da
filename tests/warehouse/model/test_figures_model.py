"""A dataset of figures submitted by agencies (kind = "figures") and its measures: read from a model
file, kept apart from the datasets of records, and every mistake refused with where and why."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from warehouse.model.figures import Cadence
from warehouse.model.files import ModelError, read_model
from warehouse.model.specs import FigureValue, MeasureTiming

FIGURES = """
[[dataset]]
name = "camhs_figures"
title = "CAMHS figures"
kind = "figures"
agency = "{agency}"
cadence = "quarterly"
deadline_days = 20
expected_from = 2025-04-01

[[measure]]
id = "camhs_crisis_referrals"
dataset = "camhs_figures"
timing = "flow"
description = "Referrals to the crisis mental-health team."
parts = [{{ code = "0-12", label = "Aged 0 to 12" }}, {{ code = "13-17", label = "Aged 13 to 17" }}]

[[measure]]
id = "camhs_wellbeing_score"
dataset = "camhs_figures"
timing = "stock"
value = "number"
description = "The mean wellbeing score at the quarter's end."
"""

FIGURES_KPI = """
[[kpi]]
id = "camhs_crisis_count"
title = "Crisis referrals"
dataset = "camhs_figures"
unit = "count"
direction = "neutral"
timing = "flow"
numerator = "camhs_crisis_referrals"
definition = "Referrals to the crisis team."
agency = "Health"
local_definition = true
"""


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "local.toml").write_text(text, encoding="utf-8")
    return folder


def test_a_figures_dataset_is_read_apart_from_the_datasets_of_records(tmp_path):
    model = read_model(write(tmp_path / "model", FIGURES.format(agency="Health") + FIGURES_KPI))
    figures = model.figures["camhs_figures"]
    assert (figures.agency, figures.cadence, figures.deadline_days) == ("Health", Cadence.QUARTERLY, 20)
    assert figures.expected_from == date(2025, 4, 1)
    # No table, no records: the loaders, cubes and docs of records never see it.
    assert "camhs_figures" not in model.datasets and "camhs_figures" not in model.local_datasets
    crisis, score = model.figure_measures("camhs_figures")
    assert [(p.code, p.label) for p in crisis.parts] == [("0-12", "Aged 0 to 12"), ("13-17", "Aged 13 to 17")]
    assert (crisis.timing, crisis.value) == (MeasureTiming.FLOW, FigureValue.COUNT)
    assert (score.id, score.timing, score.value, score.parts) == (
        "camhs_wellbeing_score",
        MeasureTiming.STOCK,
        FigureValue.NUMBER,
        (),
    )
    # A figure is given per LA and period: its KPI carries none of the records' filters.
    assert model.kpis["camhs_crisis_count"].dimensions == ()


def test_the_built_in_datasets_are_datasets_of_records():
    model = read_model()
    assert all(d.kind == "records" for d in model.datasets.values())


MEASURE = '\n[[measure]]\nid = "{id}"\ndataset = "{dataset}"\ntiming = "{timing}"\ndescription = "d"\n'
MISTAKES = [
    (
        "an agency no partner account can name",
        FIGURES.format(agency="Fire service"),
        "local.toml: dataset[0] ('camhs_figures').agency: 'Fire service' is not an agency; use one of",
    ),
    (
        "an agency spelt otherwise",
        FIGURES.format(agency="health"),
        "local.toml: dataset[0] ('camhs_figures').agency: spell it 'Health'",
    ),
    (
        "a cadence the tracker cannot work out",
        FIGURES.format(agency="Health").replace('"quarterly"', '"weekly"'),
        "local.toml: dataset[0] ('camhs_figures').cadence: Input should be 'monthly', 'quarterly' or 'yearly'",
    ),
    (
        "a figures dataset with columns",
        FIGURES.format(agency="Health").replace("deadline_days = 20", 'deadline_days = 20\ntable = "hf"'),
        "local.toml: dataset[0] ('camhs_figures').table: Extra inputs are not permitted",
    ),
    (
        "a figures dataset without a deadline",
        FIGURES.format(agency="Health").replace("deadline_days = 20", ""),
        "local.toml: dataset[0] ('camhs_figures').deadline_days: Field required",
    ),
    (
        "a count of distinct children, which figures cannot be",
        FIGURES.format(agency="Health")
        + MEASURE.format(id="kids", dataset="camhs_figures", timing="children"),
        "local.toml: measure[2] ('kids').timing: a submitted figure is a flow (periods add up) or a stock",
    ),
    (
        "conditions on records a figure has not",
        FIGURES.format(agency="Health")
        + MEASURE.format(id="seen", dataset="camhs_figures", timing="flow")
        + 'where = [{ column = "outcome", in = ["seen"] }]\n',
        "local.toml: measure[2] ('seen').where: a submitted figure has no records, so no `where`",
    ),
    (
        "parts on a measure of records",
        MEASURE.format(id="split_referrals", dataset="referrals", timing="flow")
        + 'parts = [{ code = "a", label = "A" }]\n',
        (
            "local.toml: measure[0] ('split_referrals'): only a submitted figure (a measure of a figures dataset) "
            "has `parts` or a `value` kind"
        ),
    ),
    (
        "a part given twice",
        FIGURES.format(agency="Health").replace('code = "13-17"', 'code = "0-12"'),
        "local.toml: measure[0] ('camhs_crisis_referrals'): Value error, each part's code once",
    ),
    (
        "a figures dataset that takes a dataset of records' name",
        FIGURES.format(agency="Health").replace('name = "camhs_figures"', 'name = "referrals"'),
        "local.toml: dataset[0] ('referrals'): name clashes with a built-in dataset",
    ),
]


@pytest.mark.parametrize(
    "text, expected", [(text, expected) for _, text, expected in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_each_mistake_in_a_figures_dataset_is_refused_with_where_and_why(tmp_path, text, expected):
    with pytest.raises(ModelError) as refused:
        read_model(write(tmp_path / "model", text))
    assert expected in str(refused.value), str(refused.value)
