"""A partnership's [board] (issue 20 item 5): the executive set, the scorecard's priorities and KPIs,
and the pack's pages, declared once in a model file of its own; checked with file, key and reason;
in place of the built-in defaults, and of an install's scorecard.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.model.changes import affected_kpis, affected_pages, changes
from warehouse.model.files import ModelError, ModelFile, model_of_load, read_model

BOARD = """
[board]
executive = ["cp_repeat", "referrals"]
pack = ["missing", "front-door"]

[[board.priority]]
id = "neglect"
title = "Neglect"
kpis = ["cp_open", "cp_repeat"]

[[board.priority]]
id = "missing"
title = "Missing and exploited"
kpis = ["rhi_72h"]
"""


def _model(text: str = BOARD, name: str = "board.toml"):
    return read_model([ModelFile(name, text)])


def test_a_board_replaces_the_executive_set_the_scorecard_and_the_pack():
    builtin, board = read_model(), _model()
    assert builtin.executive_kpis != ("cp_repeat", "referrals")  # so the board is what changes it
    assert board.executive_kpis == ("cp_repeat", "referrals")
    assert board.scorecard_priorities == (
        ("Neglect", ("cp_open", "cp_repeat")),
        ("Missing and exploited", ("rhi_72h",)),
    )
    assert [p.id for p in board.pack_pages] == ["missing", "front-door"]
    assert board.pack_included == ("missing", "front-door")
    # the exception report: the board's KPIs, the executive set then the scorecard's, each once
    assert board.report_kpis == ("cp_repeat", "referrals", "cp_open", "rhi_72h")


def test_without_a_board_the_built_in_defaults_stand():
    model = read_model()
    declared = [k for k in model.kpis.values() if k.executive]
    rated, neutral = (
        [k.id for k in declared if k.direction != "neutral"],
        [k.id for k in declared if k.direction == "neutral"],
    )
    assert model.executive_kpis == (*rated, *neutral) and neutral == ["referrals", "cp_open"]
    assert model.scorecard_priorities[0] == (
        "Front door: the right help at the right time",
        model.priority_kpis("front_door"),
    )
    assert model.pack_pages == model.pages and model.pack_included == ()
    assert model.report_kpis == tuple(k.id for k in model.kpis.values() if not k.is_share)


def test_a_key_left_out_keeps_its_default():
    model = _model('[board]\npack = ["cp-plans"]\n')
    assert model.executive_kpis == read_model().executive_kpis
    assert model.scorecard_priorities == read_model().scorecard_priorities
    assert [p.id for p in model.pack_pages] == ["cp-plans"]
    assert model.report_kpis == read_model().report_kpis  # the pack alone does not change the report


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[board]\nexecutive = ["referals"]\n', "board.toml: board.executive: no KPI 'referals'; known: contacts,"),
        ('[board]\nexecutive = ["referrals", "referrals"]\n', "board.toml: board.executive: 'referrals' is listed more than once"),
        ('[board]\nexecutive = ["cp_category"]\n', "board.toml: board.executive: 'cp_category' is a share of a whole, which has no single figure to put in an executive summary card"),
        ('[board]\npack = ["front-door", "police"]\n', "board.toml: board.pack: no page 'police'; known: front-door, s47-icpc, cp-plans, missing"),
        ('[board]\npack = ["missing", "missing"]\n', "board.toml: board.pack: 'missing' is listed more than once"),
        ('[[board.priority]]\nid = "a"\ntitle = "A"\nkpis = ["referrals_by_source"]\n', "board.toml: board.priority: 'referrals_by_source' is a share of a whole, which has no single figure to put in a scorecard"),
        ('[[board.priority]]\nid = "a"\ntitle = "A"\nkpis = ["cp_open"]\n[[board.priority]]\nid = "b"\ntitle = "B"\nkpis = ["cp_open"]\n', "board.toml: board.priority: 'cp_open' is listed more than once"),
        ('[[board.priority]]\nid = "a"\ntitle = "A"\nkpis = ["cp_open"]\n[[board.priority]]\nid = "a"\ntitle = "B"\nkpis = ["icpc"]\n', "board.toml: board.priority: priority id 'a' is declared more than once"),
        ('[[board.priority]]\nid = "a"\ntitle = "A"\nkpis = []\n', "board.toml: board.priority.0.kpis: Tuple should have at least 1 item after validation, not 0"),
        ('[board]\nscorecard = ["cp_open"]\n', "board.toml: board.scorecard: Extra inputs are not permitted"),
        ('[[board]]\nexecutive = ["cp_open"]\n', "board.toml: board: write it once as [board] (with [[board.priority]] tables)"),
    ],
)  # fmt: skip
def test_a_board_mistake_is_refused_with_file_key_and_reason(text, says):
    with pytest.raises(ModelError) as refused:
        _model(text)
    assert any(problem.startswith(says) for problem in refused.value.problems), refused.value.problems


def test_a_board_is_declared_once():
    with pytest.raises(ModelError) as refused:
        read_model(
            [
                ModelFile("a.toml", '[board]\npack = ["missing"]\n'),
                ModelFile("b.toml", '[board]\npack = ["missing"]\n'),
            ]
        )
    assert refused.value.problems == ["b.toml: board: already declared in a.toml; declare it once"]


def test_the_changes_name_the_board_and_the_pages_it_reaches():
    before, after = read_model(), _model()
    found = changes(before, after)
    assert [str(c) for c in found] == ["board executive: added", "board pack: added", "board priority: added"]
    kpis = affected_kpis(before, after, found)
    assert affected_pages(before, after, found, kpis) == [
        "Executive summary (/)",
        "Meeting pack (/pack)",
        "Exception report (/exceptions)",
        "Scorecard (/scorecard)",
    ]
    # only the pack changed: only the pack is reached
    pack_only = _model('[board]\npack = ["missing"]\n')
    found = changes(before, pack_only)
    assert affected_pages(before, pack_only, found, affected_kpis(before, pack_only, found)) == [
        "Meeting pack (/pack)"
    ]


def test_the_board_wins_over_an_installs_scorecard_toml(settings):
    from warehouse.kpis.scorecard import scorecard_config

    settings.home.mkdir(parents=True)
    (settings.home / "scorecard.toml").write_text(
        '[[priorities]]\ntitle = "Old"\nkpis = ["icpc"]\n', encoding="utf-8"
    )
    with model_of_load(read_model()):  # no board: scorecard.toml is honoured
        assert [(p.title, p.kpis) for p in scorecard_config().priorities] == [("Old", ("icpc",))]
    with model_of_load(_model()):
        assert [(p.title, p.kpis) for p in scorecard_config().priorities] == [
            ("Neglect", ("cp_open", "cp_repeat")),
            ("Missing and exploited", ("rhi_72h",)),
        ]
    with model_of_load(_model('[board]\npack = ["missing"]\n')):  # a board without priorities: the file's
        assert [(p.title, p.kpis) for p in scorecard_config().priorities] == [("Old", ("icpc",))]


def test_the_demo_board_is_a_valid_board_of_five_priorities_from_four_agencies():
    from etl.demo_board import DEMO_BOARD

    model = _model(DEMO_BOARD.read_text(encoding="utf-8"))
    assert [title.split(":")[0] for title, _kpis in model.scorecard_priorities] == [
        "Neglect",
        "Exploitation and children missing",
        "Domestic abuse",
        "Children at risk of significant harm",
        "Early help and the front door",
    ]
    assert all(kpis for _title, kpis in model.scorecard_priorities)
    assert [p.id for p in model.pack_pages] == [
        "front-door", "early-help-episodes", "s47-icpc", "cp-plans", "missing", "exploitation",
        "police-domestic-abuse", "education", "health",
    ]  # fmt: skip
    agencies = {model.kpis[k].agency for _title, kpis in model.scorecard_priorities for k in kpis}
    assert agencies == {"Local authority", "Police", "Health", "Schools and education"}


def test_the_demo_board_is_written_once_and_never_over_a_partnerships_own(tmp_path: Path):
    from etl.demo_board import DEMO_BOARD, write_demo_board

    written = write_demo_board(tmp_path)
    assert written == tmp_path / "model" / "board.toml"
    assert written.read_text(encoding="utf-8") == DEMO_BOARD.read_text(encoding="utf-8")
    written.write_text('[board]\npack = ["missing"]\n', encoding="utf-8")
    assert write_demo_board(tmp_path) is None
    assert written.read_text(encoding="utf-8") == '[board]\npack = ["missing"]\n'


def test_the_docs_board_example_is_a_valid_board():
    from tests.helpers import model_doc_example

    model = _model(model_doc_example("[board]"))
    assert model.executive_kpis == (
        "referrals",
        "re_referral_12m",
        "icpc_15wd",
        "cp_repeat",
        "children_missing",
    )
    assert [title for title, _kpis in model.scorecard_priorities] == [
        "Neglect: children on a plan get help that lasts",
        "Exploitation and children missing",
    ]
    assert [p.id for p in model.pack_pages] == ["front-door", "cp-plans", "missing"]
