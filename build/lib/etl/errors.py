"""The two ways input can be bad: a whole file (nothing loads) or a single row (it is skipped)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ExtractError(Exception):
    """A file is structurally wrong: it loads nothing, and the load exits non-zero."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path.name}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Rejection:
    """One field of one row that broke a rule; the row is not loaded, the others are."""

    row_number: int  # as a spreadsheet shows it: the header is row 1
    field: str
    value: str | None
    rule: str
    message: str
