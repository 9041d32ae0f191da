"""The KPIs a person links an action, a risk or a challenge to: every KPI a card shows (not the
shares a breakdown is drawn from), by title."""

from __future__ import annotations

from collections.abc import Sequence

from dash import html

from app.components.choices import checklist
from warehouse.kpis.registry import REGISTRY

KPI_CHOICES = {kpi.id: kpi.title for kpi in REGISTRY.values() if not kpi.is_share}
KPI_OPTIONS = [{"label": title, "value": kpi_id} for kpi_id, title in KPI_CHOICES.items()]


def kpi_titles(kpi_ids: Sequence[str]) -> str:
    """'Re-referrals within 12 months; CP plans started', for a list or a download."""
    return "; ".join(KPI_CHOICES.get(kpi_id, kpi_id) for kpi_id in kpi_ids)


def linked_kpis(component_id: str, hint: str, chosen: Sequence[str] = ()) -> html.Fieldset:
    """The KPIs to link, as checkboxes in a short box of their own."""
    return checklist(component_id, "Linked KPIs", KPI_OPTIONS, chosen, scroll=True, hint=hint)


SHOWS_IT_WORKED = "the figures that would show it worked"  # an action's KPIs, wherever it is raised
