"""Every reader's bad-input corpus, loaded with `safeguard load` into a warehouse that already holds
data: each file is refused, the command says why and names the file, it exits 1, and nothing the
warehouse held changes (its only new rows are the failed files' own records).

The refused files of a reader that take the same options load together, in one command, as an
operator would give them: each must be refused on its own line, and ten loads do the work of the
fifty it would take file by file.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from tests.reliability.corpus import Case, every_case, valid_cases
from tests.reliability.warehouse_state import (
    fingerprint,
    latest_load_id,
    loads_after,
    loads_checksum,
    without_audit,
)

pytestmark = pytest.mark.reliability

CASES = every_case()
# Cases that must be refused, and are today: grouped by reader and options, one load a group.
REFUSED = [c for c in CASES if c.message is not None and c.bug is None]
GROUPS = {
    key: list(group)
    for key, group in groupby(
        sorted(REFUSED, key=lambda c: (c.reader, c.options)), key=lambda c: (c.reader, c.options)
    )
}
# Cases that fail today (a crash or an unclear message), or that need only not crash: one load each.
SINGLES = [c for c in CASES if c not in REFUSED]


def _load(paths: list[Path], options: tuple[str, ...], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "300")  # one line per message, however long the path
    result = CliRunner().invoke(app, ["load", *options, *map(str, paths)])
    # CliRunner catches what the command raised: anything but typer's exit is a crash.
    crash = None if result.exception is None or isinstance(result.exception, SystemExit) else result.exception
    assert crash is None, f"the load crashed: {crash!r}"
    return result


def _build(cases: list[Case], tmp_path: Path) -> list[Path]:
    """Each case's files in a folder of their own (a return's companions are found beside it)."""
    paths = []
    for case in cases:
        folder = tmp_path / case.id
        folder.mkdir()
        paths.append(case.build(folder))
    return paths


def _refusal(output: str, path: Path) -> str | None:
    return next((line for line in output.splitlines() if line.startswith(f"{path}: not loaded: ")), None)


def _assert_refused_and_nothing_changed(
    cases: list[Case],
    paths: list[Path],
    result,
    warehouse: Path,
    before: dict,
    last_load: int,
    earlier_loads: tuple,
) -> None:
    assert result.exit_code == 1, result.output
    wrong = {}
    for case, path in zip(cases, paths):
        refusal = _refusal(result.output, path)
        if refusal is None or (case.message or "") not in refusal:
            wrong[case.id] = refusal
    assert wrong == {}, f"expected each file's refusal to say why:\n{result.output}"
    after = fingerprint(warehouse)
    assert without_audit(after) == without_audit(before)
    assert after["etl_rejection"] == before["etl_rejection"]
    assert loads_checksum(warehouse, last_load) == earlier_loads
    recorded = loads_after(warehouse, last_load)
    assert [(name, status, rows) for name, status, rows, _ in recorded] == [
        (path.name, "failed", 0) for path in paths
    ]
    for path, (_, _, _, message) in zip(paths, recorded):
        assert message and _refusal(result.output, path).endswith(message)


def test_the_corpus_covers_every_reader_and_each_case_once():
    assert {case.reader for case in CASES} == {"native_csv", "ssda903", "cin_xml", "annex_a"}
    assert len({case.id for case in CASES}) == len(CASES) == len(REFUSED) + len(SINGLES)


@pytest.mark.parametrize(
    "group", list(GROUPS), ids=[" ".join((reader, *options)) for reader, options in GROUPS]
)
def test_each_bad_file_is_refused_with_its_name_and_why_and_nothing_loaded_changes(
    group, tmp_path, loaded_home, baseline_state, monkeypatch
):
    cases = GROUPS[group]
    warehouse = loaded_home.warehouse_path
    last_load = latest_load_id(warehouse)
    earlier_loads = loads_checksum(warehouse, last_load)
    paths = _build(cases, tmp_path)

    result = _load(paths, group[1], monkeypatch)

    _assert_refused_and_nothing_changed(
        cases, paths, result, warehouse, baseline_state, last_load, earlier_loads
    )


def _single(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_single(c) for c in SINGLES])
def test_a_file_that_troubles_a_reader_is_loaded_or_refused_never_a_crash(
    case: Case, tmp_path, loaded_home, baseline_state, monkeypatch
):
    warehouse = loaded_home.warehouse_path
    last_load = latest_load_id(warehouse)
    earlier_loads = loads_checksum(warehouse, last_load)
    paths = _build([case], tmp_path)

    result = _load(paths, case.options, monkeypatch)

    if case.message is None and result.exit_code == 0:
        return  # loading it is as good an answer as refusing it clearly
    _assert_refused_and_nothing_changed(
        [case], paths, result, warehouse, baseline_state, last_load, earlier_loads
    )


@pytest.mark.parametrize("case", valid_cases(), ids=lambda c: c.id)
def test_a_valid_file_in_an_awkward_form_loads_every_row(case: Case, tmp_path, loaded_home, monkeypatch):
    warehouse = loaded_home.warehouse_path
    last_load = latest_load_id(warehouse)
    paths = _build([case], tmp_path)

    result = _load(paths, case.options, monkeypatch)

    assert result.exit_code == 0, result.output
    recorded = loads_after(warehouse, last_load)
    assert {(name, status) for name, status, _, _ in recorded} == {(paths[0].name, "loaded")}, recorded
    assert sum(rows for _, _, rows, _ in recorded) == case.loads, recorded
