"""RAG against a target, by the KPI's direction of good. Neutral KPIs have no RAG."""

from __future__ import annotations

from enum import StrEnum

from warehouse.kpis.model import Direction


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def words(self) -> str:
        """RAG is never shown by colour alone."""
        return {"green": "On target", "amber": "Near target", "red": "Off target"}[self.value]


def rag(
    value: float | None, target: float | None, direction: Direction, tolerance_percent: float
) -> Rag | None:
    """Green on target or better; amber worse but within the band (a % of the target); red beyond."""
    if value is None or target is None or direction is Direction.NEUTRAL:
        return None
    shortfall = target - value if direction is Direction.HIGHER_IS_BETTER else value - target
    if shortfall <= 0:
        return Rag.GREEN
    band = abs(target) * tolerance_percent / 100
    # A value exactly on the band's edge is amber; the epsilon absorbs binary rounding (23.1 - 22.0).
    return Rag.AMBER if shortfall <= band + 1e-9 else Rag.RED
