"""Crashes the suite has found and pinned with a failing (strict xfail) test, so that the fuzzers can
keep looking for new ones meanwhile. Each names where it is raised and the test that pins it: once
the bug is fixed that test passes unexpectedly, and its entry here is to be removed with its mark.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("etl", "warehouse", "app", "appstate")  # the project's own code, not the venv beside it


@dataclass(frozen=True)
class KnownCrash:
    exception: str  # the exception's class name
    says: str  # a part of its message
    raised_in: str  # the project file (from the repository root) whose frame raised it
    pinned_by: str  # the corpus case (tests/reliability/corpus.py) that fails because of it


KNOWN_CRASHES: tuple[KnownCrash, ...] = ()


def _project_frames(error: BaseException) -> list[str]:
    """The files of the project's own frames in the traceback, innermost last."""
    files = [Path(frame.filename).resolve() for frame in traceback.extract_tb(error.__traceback__)]
    inside = [file.relative_to(REPO) for file in files if file.is_relative_to(REPO)]
    return [file.as_posix() for file in inside if file.parts[0] in PACKAGES]


def known_crash(error: BaseException) -> KnownCrash | None:
    """The pinned bug this exception is, if it is one; None for anything new."""
    frames = _project_frames(error)
    for known in KNOWN_CRASHES:
        if (
            type(error).__name__ == known.exception
            and known.says in str(error)
            and frames
            and frames[-1] == known.raised_in
        ):
            return known
    return None
