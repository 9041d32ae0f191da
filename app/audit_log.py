"""What the app writes to the audit log about a request: who, from where, and what they took."""

from __future__ import annotations

from flask import has_request_context, request

from app.scope import current_user
from appstate.audit import record
from appstate.db import session


def log_export(what: str, rows: int | None, **used: object) -> None:
    """An export (CSV, workbook, PDF, Markdown): who took what, and how many rows, with the filters
    the server actually used (`used`, worked out by the caller after the scope cut them): never
    what the browser says it was looking at, such as a Referer, which the client writes."""
    address = request.remote_addr or "" if has_request_context() else ""
    with session() as db:
        record(db, current_user().username, "export", subject=what, rows=rows, address=address, **used)


def log_action(action: str, subject: str, rows: int | None = None, **detail: object) -> None:
    """A write the app made for the user outside app state (an upload of figures, a figure entered,
    reminders sent): who did what, from where, with what came of it (`detail`)."""
    address = request.remote_addr or "" if has_request_context() else ""
    with session() as db:
        record(db, current_user().username, action, subject=subject, rows=rows, address=address, **detail)
