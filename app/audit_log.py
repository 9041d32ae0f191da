"""What the app writes to the audit log about a request: who, from where, and what they took; and
how an event's subject and details read on the audit page (names and words, never codes or JSON)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from datetime import date

from flask import has_request_context, request

from app.scope import current_user
from appstate.audit import record
from appstate.db import session
from warehouse.kpis.formatting import day_words
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import REGISTRY
from warehouse.model.files import dataset_title


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


# A detail's key in words, where its name is not plain enough with its underscores as spaces.
DETAIL_KEYS = {
    "la_code": "LA",
    "la_codes": "LAs",
    "la": "LAs",
    "kpi": "KPI",
    "effective_from": "from",
    "tolerance_percent": "tolerance (%)",
    "demo": "demo target",
    "load_id": "load",
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORD = re.compile(r"[A-Za-z0-9_]+")


def _value_words(key: str, value: object, names: Mapping[str, str]) -> str:
    """A detail's value for people: LAs and KPIs by name, a period by its label, a day in words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in {"la_codes", "la"} and not value:  # an account of no LAs named sees every loaded one
        return "all"
    if isinstance(value, list | tuple):
        return ", ".join(_value_words(key, item, names) for item in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{_key_words(k)} {_value_words(k, v, names)}" for k, v in value.items()) or "none"
    text = str(value)
    if key == "period":
        with contextlib.suppress(ValueError):
            return parse_period(text).label
    if _ISO_DAY.fullmatch(text):
        with contextlib.suppress(ValueError):
            return day_words(date.fromisoformat(text))
    if key == "status":
        return text.replace("_", " ")
    if key == "dataset":
        return dataset_title(text)
    return subject_words(text, names)


def _key_words(key: str) -> str:
    return DETAIL_KEYS.get(key, key.replace("_", " "))


def subject_words(text: str, names: Mapping[str, str]) -> str:
    """Each word of `text` that is an LA's code or a KPI's id by its name ('re_referral_12m for
    E06000057' is 'Re-referrals within 12 months for Northumberland'); a file name stays as it is."""
    if "." in text or "/" in text:
        return text
    return _WORD.sub(lambda word: names.get(word[0]) or _kpi_title(word[0]) or word[0], text)


def _kpi_title(word: str) -> str | None:
    kpi = REGISTRY.get(word)
    return kpi.title if kpi else None


def details_words(text: str | None, names: Mapping[str, str]) -> str:
    """An event's details (stored as JSON) in words: 'LAs Newcastle upon Tyne; page /pack; period 12
    months to November 2026 (...)', never the JSON or the codes."""
    found = json.loads(text or "{}")
    return "; ".join(f"{_key_words(k)}: {_value_words(k, v, names)}" for k, v in found.items())
