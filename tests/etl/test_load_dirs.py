"""SAFEGUARD_LOAD_DIRS: a load reads only files inside the configured folders, judged by where a
path really leads; a load naming any other file is refused whole and changes nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.helpers import write_extract

TWO_CONTACTS = [{"contact_id": "CO1"}, {"contact_id": "CO2", "contact_date": "2024-09-01"}]


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The one folder loads may read, plus a second one, as an install would set them."""
    folder, second = tmp_path / "inbox", tmp_path / "second-inbox"
    folder.mkdir()
    second.mkdir()
    monkeypatch.setenv("SAFEGUARD_LOAD_DIRS", f"{folder}{os.pathsep}{second}")
    return folder


def _allowed_words(tmp_path: Path) -> str:
    return f"{tmp_path / 'inbox'}, {tmp_path / 'second-inbox'}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_inside_the_folders_loads(inbox, tmp_path, load, query):
    [outcome] = load(write_extract(inbox / "contacts.csv", "contacts", TWO_CONTACTS))
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2)
    [second] = load(
        write_extract(tmp_path / "second-inbox" / "county.csv", "contacts", [{}], la_code="E06000057")
    )
    assert (second.status, second.rows_loaded) == ("loaded", 1)
    assert query("SELECT la_code, count(*) FROM contact GROUP BY la_code ORDER BY la_code") == [
        ("E06000057", 1),
        ("E08000021", 2),
    ]


def _outside(tmp_path: Path) -> Path:
    return write_extract(tmp_path / "elsewhere" / "contacts.csv", "contacts", [{"contact_id": "X1"}])


def _dot_dot_escape(tmp_path: Path) -> Path:
    _outside(tmp_path)
    return tmp_path / "inbox" / ".." / "elsewhere" / "contacts.csv"


def _symlink_out(tmp_path: Path) -> Path:
    link = tmp_path / "inbox" / "linked.csv"
    link.symlink_to(_outside(tmp_path))
    return link


def _name_prefix(tmp_path: Path) -> Path:
    # /…/inbox-old starts with the text of /…/inbox but is another folder.
    return write_extract(tmp_path / "inbox-old" / "contacts.csv", "contacts", [{"contact_id": "X1"}])


@pytest.mark.parametrize(
    ("make_path", "escapes"),
    [(_outside, False), (_dot_dot_escape, True), (_symlink_out, True), (_name_prefix, False)],
    ids=["outside", "dot-dot", "symlink", "name-prefix"],
)
def test_a_load_naming_a_file_outside_is_refused_whole(
    make_path, escapes, inbox, tmp_path, load, query, settings
):
    load(write_extract(inbox / "contacts.csv", "contacts", TWO_CONTACTS))
    published = _sha256(settings.warehouse_path)
    good = write_extract(
        inbox / "more.csv",
        "contacts",
        [{"contact_id": "CO3", "contact_date": "2024-10-01"}],
        coverage_start="2024-10-01",
        coverage_end="2024-10-31",
    )
    bad = make_path(tmp_path)

    good_outcome, bad_outcome = load(good, bad)

    assert bad_outcome.status == "failed"
    # A path that looks inside but is not also says where it really leads.
    leads_to = f" (it leads to {tmp_path / 'elsewhere' / 'contacts.csv'})" if escapes else ""
    assert bad_outcome.message == (
        f"{bad}{leads_to} is outside the folders loads may read: {_allowed_words(tmp_path)} "
        "(SAFEGUARD_LOAD_DIRS)"
    )
    assert good_outcome.status == "failed"
    assert good_outcome.message == f"the load was refused, as {bad} is outside the folders loads may read"
    # Refused before anything was read: neither file was even hashed.
    assert (good_outcome.sha256, bad_outcome.sha256, good_outcome.rows_read) == (None, None, 0)
    assert _sha256(settings.warehouse_path) == published
    assert query("SELECT contact_id FROM contact ORDER BY contact_id") == [("CO1",), ("CO2",)]
    assert query("SELECT count(*) FROM etl_load") == [(1,)]


def test_a_refused_first_load_makes_no_warehouse(inbox, tmp_path, load, settings):
    [outcome] = load(_outside(tmp_path))
    assert outcome.status == "failed"
    assert not settings.warehouse_path.exists()


@pytest.mark.parametrize("value", [None, "", os.pathsep])
def test_unset_or_blank_any_file_loads_as_before(value, tmp_path, load, query, monkeypatch):
    if value is None:
        monkeypatch.delenv("SAFEGUARD_LOAD_DIRS", raising=False)
    else:
        monkeypatch.setenv("SAFEGUARD_LOAD_DIRS", value)
    [outcome] = load(_outside(tmp_path))
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 1)
    assert query("SELECT contact_id FROM contact") == [("X1",)]


def test_an_ssda903_companion_linked_from_outside_is_not_read(inbox, tmp_path, load, query):
    import shutil

    from etl.pipeline import SourceOptions

    sample = Path(__file__).resolve().parents[1] / "data" / "ssda903"
    shutil.copy(sample / "missing.csv", inbox / "missing.csv")
    shutil.copy(sample / "episodes.csv", inbox / "episodes.csv")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(sample / "header.csv", outside / "header.csv")
    (inbox / "header.csv").symlink_to(outside / "header.csv")
    [outcome] = load(inbox / "missing.csv", source=SourceOptions("ssda903", la_code="E08000021"))
    # The return's own header file cannot be left out silently (it sets the children's sex and
    # ethnicity), nor read from outside: the return is refused, saying why.
    assert outcome.status == "failed"
    assert outcome.message.startswith(
        f"{inbox / 'header.csv'} (it leads to {outside / 'header.csv'}) is outside the folders loads may read"
    )
    assert query("SELECT count(*) FROM etl_load WHERE status = 'failed'") == [(1,)]
    assert query("SELECT count(*) FROM missing_episode") == [(0,)]


def _swap_file(inbox: Path, outside: Path):
    """The file itself is replaced by a link to a file outside."""
    path = write_extract(inbox / "contacts.csv", "contacts", TWO_CONTACTS)

    def swap() -> None:
        path.unlink()
        path.symlink_to(outside)

    return path, swap


def _swap_folder(inbox: Path, outside: Path):
    """A folder on the file's path is replaced by a link to the folder outside."""
    path = write_extract(inbox / "sub" / "contacts.csv", "contacts", TWO_CONTACTS)

    def swap() -> None:
        path.unlink()
        path.parent.rmdir()
        path.parent.symlink_to(outside.parent)

    return path, swap


@pytest.mark.parametrize("swapping", [_swap_file, _swap_folder])
def test_a_file_swapped_for_a_link_while_the_load_waits_for_the_lock_is_refused(
    swapping, inbox, tmp_path, settings, query, monkeypatch
):
    import threading
    from datetime import date

    from etl import pipeline
    from etl.load.publish import load_lock
    from tests.helpers import TODAY

    outside = _outside(tmp_path)
    path, swap = swapping(inbox, outside)
    waiting = threading.Event()
    real_lock = pipeline.load_lock

    def lock_noting_the_wait(*args, **kwargs):
        waiting.set()  # the load has checked SAFEGUARD_LOAD_DIRS and now waits for the lock
        return real_lock(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load_lock", lock_noting_the_wait)
    outcomes = []
    with load_lock(settings.lock_path):
        loading = threading.Thread(
            target=lambda: outcomes.extend(
                pipeline.run_load([path], settings, today=date.fromisoformat(TODAY))
            )
        )
        loading.start()
        assert waiting.wait(30)
        swap()
    loading.join(60)
    [outcome] = outcomes
    assert outcome.status == "failed"
    assert outcome.message.startswith(f"{path} (it leads to {outside}) is outside the folders loads may read")
    assert not settings.warehouse_path.exists() or query("SELECT count(*) FROM contact") == [(0,)]
