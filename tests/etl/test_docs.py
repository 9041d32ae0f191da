"""The documented layouts and examples are the ones the loader accepts (regenerate: make docs)."""

from __future__ import annotations

import pytest

from etl.docs import EXAMPLES_DIR, FORMATS_DOC, example_csv, render_formats_doc
from warehouse.model.files import active_model

DATASETS = active_model().datasets


def test_extract_formats_doc_is_up_to_date():
    current = FORMATS_DOC.read_text(encoding="utf-8")
    assert render_formats_doc(current) == current, "docs/extract-formats.md is stale: run `make docs`"


@pytest.mark.parametrize("name", list(DATASETS))
def test_example_extract_is_current_and_loads_cleanly(name, load):
    path = EXAMPLES_DIR / f"{name}.csv"
    assert path.read_text(encoding="utf-8") == example_csv(DATASETS[name]), "run `make docs`"
    [outcome] = load(path)
    assert (outcome.status, outcome.rows_loaded, outcome.rejections) == ("loaded", 2, [])


def test_every_column_is_documented():
    text = FORMATS_DOC.read_text(encoding="utf-8")
    for dataset in DATASETS.values():
        for column in dataset.columns:
            assert f"| `{column.name}` |" in text


def test_kpi_doc_is_up_to_date_and_has_a_heading_per_kpi():
    from etl.docs import KPIS_DOC, render_kpis_doc
    from warehouse.kpis.registry import REGISTRY

    text = KPIS_DOC.read_text(encoding="utf-8")
    assert text == render_kpis_doc(), "docs/kpis.md is stale: run `make docs`"
    for kpi in REGISTRY.values():
        assert f"### {kpi.title}\n" in text and f"`{kpi.id}`" in text


def test_the_model_doc_is_up_to_date_and_its_examples_are_a_valid_model(tmp_path):
    """docs/model.md's reference is made from the model, and each TOML example in it reads as a model."""
    import re

    from etl.docs import MODEL_DOC, render_model_doc
    from warehouse.model.files import ModelFile, read_model

    current = MODEL_DOC.read_text(encoding="utf-8")
    assert render_model_doc(current) == current, "docs/model.md is stale: run `make docs`"
    examples = re.findall(r"```toml\n(.*?)```", current, flags=re.DOTALL)
    assert len(examples) == 7  # with the [board] (which every example's model may hold once) and a figures dataset
    model = read_model([ModelFile(f"example{i}.toml", text) for i, text in enumerate(examples)])
    assert model.board.pack == ("front-door", "cp-plans", "missing")
    assert {
        "referrals_local",
        "eh_assessments",
        "eh_completed_45wd",
        "eh_open",
        "eh_children",
    } <= model.kpis.keys()
    assert [model.measures[m].timing for m in ("eh_started", "eh_open", "eh_children")] == [
        "flow",
        "stock",
        "children",
    ]
    assert model.dimension("sex").label == "Sex (girls and boys)" and model.local_datasets == ("early_help",)
    assert [p.id for p in model.pages][-2:] == ["our-front-door", "early-help"]
    assert (
        "outcome" in model.kpis["eh_assessments"].dimensions
        and "outcome" not in model.kpis["referrals"].dimensions
    )
    camhs = model.figures["camhs_figures"]  # a dataset of figures submitted by an agency
    assert (camhs.agency, camhs.cadence, camhs.deadline_days) == ("Health", "quarterly", 20)
    assert [(m.id, [p.code for p in m.parts], m.value) for m in model.figure_measures("camhs_figures")] == [
        ("camhs_crisis_referrals", ["0-12", "13-17"], "count"),
        ("camhs_wellbeing_score", [], "number"),
    ]


def test_the_deploy_doc_lists_every_setting():
    from etl.docs import DEPLOY_DOC, render_deploy_doc
    from warehouse.settings import Environment

    current = DEPLOY_DOC.read_text(encoding="utf-8")
    assert render_deploy_doc(current) == current, "docs/deploy.md is stale: run `make docs`"
    for name in Environment.model_fields:
        assert f"`SAFEGUARD_{name.upper()}`" in current
