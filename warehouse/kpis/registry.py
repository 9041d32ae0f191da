"""The KPIs of the active model, by id (warehouse/model/builtin/kpis.toml and a partnership's own).

Everything else (the engine, the cards, the CLI and the docs) looks KPIs up here by id.
"""

from __future__ import annotations

from warehouse.kpis.model import Kpi
from warehouse.model.files import active_model
from warehouse.model.specs import MeasureTiming

REGISTRY: dict[str, Kpi] = active_model().kpis
KPIS: tuple[Kpi, ...] = tuple(REGISTRY.values())

# The executive summary's default set: one or two KPIs per strategic priority.
EXECUTIVE_KPIS: tuple[str, ...] = active_model().executive_kpis

# The built-in measures counted per child rather than per event, from missing_child_month (a
# partnership's own are counted from measure_child_month); the rest come from kpi_cube.
CHILD_MEASURES = frozenset(
    m.id
    for m in active_model().measures.values()
    if m.timing == MeasureTiming.CHILDREN
    and m.dataset not in active_model().generated_datasets
    and m.date is None
)


def get_kpi(kpi_id: str) -> Kpi:
    try:
        return REGISTRY[kpi_id]
    except KeyError:
        raise KeyError(f"no KPI {kpi_id!r}; known: {', '.join(REGISTRY)}") from None
