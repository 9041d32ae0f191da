"""How an action's progress and flags read, wherever an action is shown (the action tracker, the
reviews and meetings it was raised from), and its row in a download."""

from __future__ import annotations

from datetime import date

from app.components.kpi_choices import kpi_titles
from appstate.actions import PROGRESS_SCALE, Action


def progress_words(progress: int | None) -> str:
    return "no update yet" if progress is None else f"{progress} ({PROGRESS_SCALE[progress]})"


def action_flags(action: Action, today: date) -> str:
    return ", ".join(
        word
        for word, flagged in (("overdue", action.is_overdue(today)), ("drifting", action.is_drifting(today)))
        if flagged
    )


# An action's fields in a download (CSV, Excel), by key.
ACTION_COLUMNS = {
    "id": "No.",
    "la": "Local authority",
    "title": "Action",
    "source": "Source",
    "reference": "Priority, review or meeting",
    "agency": "Lead agency",
    "lead": "Named lead",
    "due": "Due",
    "status": "Status",
    "progress": "Progress",
    "flags": "Flags",
    "kpis": "Linked KPIs",
    "measure": "Success measure",
    "raised": "Raised",
}


def action_row(action: Action, la_names: dict[str, str], today: date) -> dict[str, object]:
    """The action's fields (ACTION_COLUMNS' keys), in words: LA and KPI names, progress and flags."""
    return {
        "id": action.id,
        "la": la_names.get(action.la_code, action.la_code),
        "title": action.title,
        "source": action.source_kind,
        "reference": action.source_ref,
        "agency": action.agency,
        "lead": action.lead,
        "due": action.due_date.isoformat(),
        "status": action.status,
        "progress": progress_words(action.progress),
        "flags": action_flags(action, today),
        "kpis": kpi_titles(action.kpi_ids),
        "measure": action.success_measure,
        "raised": f"{action.created_at:%Y-%m-%d} by {action.created_by}",
    }
