"""How an action's progress and flags read, wherever an action is shown (the action tracker, the
reviews it was raised from)."""

from __future__ import annotations

from datetime import date

from appstate.actions import PROGRESS_SCALE, Action


def progress_words(progress: int | None) -> str:
    return "no update yet" if progress is None else f"{progress} ({PROGRESS_SCALE[progress]})"


def action_flags(action: Action, today: date) -> str:
    return ", ".join(
        word
        for word, flagged in (("overdue", action.is_overdue(today)), ("drifting", action.is_drifting(today)))
        if flagged
    )
