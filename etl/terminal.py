"""Where the command line writes: what it did on standard output, what went wrong on standard error."""

from __future__ import annotations

import os

from rich.console import Console, ConsoleDimensions

# Written to a file or a pipe (`make run`'s log, a scheduler's mail), rich takes the width as 80
# columns and cuts a load's table to "E0800…" and "conta…": a log is read in an editor, which scrolls.
NOT_A_TERMINAL_WIDTH = 160


class _Console(Console):
    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal or "COLUMNS" in os.environ:  # a width asked for is the one used
            return size
        return ConsoleDimensions(NOT_A_TERMINAL_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self.width, self.height = new_size


console = _Console()
errors = _Console(stderr=True)
