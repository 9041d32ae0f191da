"""Each dataset's title comes from its one declaration, wherever it is shown."""

from __future__ import annotations

from warehouse.model.files import active_model, dataset_title

DATASETS = active_model().datasets


def test_every_dataset_has_its_declared_title_and_other_names_pass_through():
    assert dataset_title("assessments") == "Assessments"  # once blank on the data page, from a stale copy
    assert {name: dataset_title(name) for name in DATASETS} == {name: d.title for name, d in DATASETS.items()}
    assert (dataset_title("areas"), dataset_title("something new"), dataset_title(None)) == (
        "Areas",
        "something new",
        "",
    )
