"""The strip every page carries: how fresh the data is, and a plain warning on demo data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd
from dash import html
from dash.development.base_component import Component

from app.state import per_warehouse_file, reader
from warehouse.db import WarehouseError
from warehouse.kpis.formatting import day_words
from warehouse.model.files import dataset_title
from warehouse.settings import environment

if TYPE_CHECKING:
    from app.scope import Scope


@dataclass(frozen=True)
class DataStatus:
    as_at: str  # the data date in words, as printed pages show it
    synthetic: bool


@per_warehouse_file(maxsize=8)
def _loaded() -> tuple[date | None, bool, datetime | None]:
    """The data date, whether any of it is demo data, and when the last load finished, kept per
    published warehouse file."""
    status = reader().query("data_status").iloc[0]
    as_at, last_load = status["data_as_at"], status["last_load_at"]
    return (
        None if pd.isna(as_at) else as_at.date(),
        bool(status["has_synthetic"]),
        None if pd.isna(last_load) else last_load.to_pydatetime(),
    )


def data_status() -> DataStatus:
    """How fresh the data is and whether it is demo data; raises WarehouseError if unreadable."""
    as_at, synthetic, _last_load = _loaded()
    return DataStatus(day_words(as_at) if as_at is not None else "no loads", synthetic)


def cadence_days(dataset: str) -> int:
    """How often a dataset is expected: SAFEGUARD_CADENCE_BY_DATASET's entry, else SAFEGUARD_CADENCE_DAYS."""
    settings = environment()
    return settings.cadence_by_dataset.get(dataset, settings.cadence_days)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n:,} days"


def stale_datasets(la_codes: tuple[str, ...], las: dict[str, str], today: date | None = None) -> list[str]:
    """The datasets of these LAs whose data ends longer ago than their cadence allows: a sentence for
    those of one LA that end on the same day and are expected as often (a late load of every
    dataset is one sentence, not ten, so the warning does not fill a phone's first screen)."""
    today = today or date.today()
    freshness = reader().query("dataset_freshness", la_codes=list(la_codes))
    late: dict[tuple[str, date, int], list[str]] = {}
    for row in freshness.to_dict("records"):
        dataset, la_code, covered_to = row["dataset"], row["la_code"], row["covered_to"].date()
        cadence = cadence_days(dataset)
        if (today - covered_to).days > cadence:
            late.setdefault((la_code, covered_to, cadence), []).append(dataset_title(dataset))
    return [
        f"{_listed(titles)} for {las.get(la_code, la_code)} end on {day_words(covered_to)}, "
        f"{_days((today - covered_to).days)} ago (expected at least every {_days(cadence)})."
        for (la_code, covered_to, cadence), titles in late.items()
    ]


def _listed(titles: list[str]) -> str:
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def _viewer_scope() -> Scope | None:
    """The signed-in viewer's scope, or None (the layout is drawn once at start-up with nobody)."""
    from app.scope import NotSignedIn, current_scope

    try:
        return current_scope()
    except (NotSignedIn, WarehouseError):
        return None


def _stale_banner(scope: Scope | None) -> html.Div | None:
    from app.view import scoped_options

    if scope is None:
        return None
    notes = stale_datasets(scope.la_codes, scoped_options(scope).las)
    if not notes:
        return None
    return html.Div(
        [html.Strong("Some data is out of date. "), *[html.Span(note + " ") for note in notes]],
        className="banner banner-stale",
        role="note",
    )


def data_status_strip() -> html.Div:
    try:
        as_at, synthetic, last_load = _loaded()
    except WarehouseError as error:
        return html.Div(
            [html.Strong("The warehouse cannot be read. "), str(error)],
            className="banner banner-warning",
            role="status",
        )
    freshness: list[str | Component] = [
        "Data as at ",
        html.Strong(day_words(as_at) if as_at is not None else "no loads yet"),
    ]
    if last_load is not None:
        freshness.append(f"; last loaded {day_words(last_load)} at {last_load:%H:%M}")
    parts: list[Component | None] = [html.Span(freshness, className="as-at")]
    if synthetic:
        parts.insert(
            0,
            html.Div(
                [
                    html.Strong("Synthetic demo data. "),
                    (
                        "Every figure counted from records is made up by the demo generator. It describes no real "
                        "child and no real local authority's performance. The figures published by DfE and OHID "
                        "(England, regions, neighbours, and those marked 'Published by') are the real ones."
                    ),
                ],
                className="banner banner-demo",
                role="note",
            ),
        )
    scope = _viewer_scope()
    parts.append(_disclosure_note(scope))
    parts.append(_stale_banner(scope))
    return html.Div(parts, className="status-strip")


def _disclosure_note(scope: Scope | None) -> html.P | None:
    """The one plain line on how a protected viewer's figures are rounded, on every page and print."""
    if scope is None or not scope.policy.enabled:
        return None
    return html.P(scope.policy.explanation, className="disclosure-note", role="note")
