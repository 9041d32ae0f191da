"""What the app writes to the audit log about a request: who, from where, and what they took."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import has_request_context, request

from app.scope import current_user
from appstate.audit import record
from appstate.db import session


def _viewed_from() -> str:
    """The page and filters a download was made from (a callback's referrer is the page's URL)."""
    if not has_request_context():
        return ""
    referrer = urlsplit(request.headers.get("Referer", ""))
    return referrer.path + (f"?{referrer.query}" if referrer.query else "") if referrer.path else request.full_path


def log_export(what: str, rows: int | None, **detail: object) -> None:
    """An export (CSV, workbook, PDF, Markdown): who took what, with which filters, and how many rows."""
    address = request.remote_addr or "" if has_request_context() else ""
    with session() as db:
        record(db, current_user().username, "export", subject=what, rows=rows, address=address,
               view=_viewed_from(), **detail)
