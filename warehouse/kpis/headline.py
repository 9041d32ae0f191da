"""The executive summary's headline: how many KPIs are on target, near and off, and which moved the
wrong way on the previous period: what a board reads in the first five seconds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warehouse.kpis.assessment import Assessment
from warehouse.kpis.rag import Rag
from warehouse.kpis.scorecard import Travel, direction_of_travel


@dataclass(frozen=True)
class Headline:
    kpis: int
    on_target: int
    near: int
    off: int
    worsened: tuple[str, ...]  # the titles of the KPIs that moved the wrong way, in the set's order
    no_data: tuple[str, ...] = ()  # the titles of the KPIs with no data for the period (no load covers it)

    @property
    def judged(self) -> int:
        return self.on_target + self.near + self.off

    def words(self) -> str:
        if self.judged:
            rag = f"{self.on_target} of {self.judged} KPIs with a target on target, {self.near} near, {self.off} off"
        else:
            rag = "No KPI here has a target to judge it against"
        if self.worsened:
            moved = (
                f"{len(self.worsened)} moved the wrong way on the previous period: {', '.join(self.worsened)}"
            )
        else:
            moved = "none moved the wrong way on the previous period"
        missing = f"; no data for the period: {', '.join(self.no_data)}" if self.no_data else ""
        return f"{rag}; {moved}{missing}."


def headline(assessments: Sequence[Assessment]) -> Headline:
    rags = [a.rag for a in assessments]
    worsened = tuple(
        a.kpi.title
        for a in assessments
        if direction_of_travel(a.kpi, a.result.current, a.result.previous)[0] is Travel.WORSENING
    )
    return Headline(
        kpis=len(assessments),
        on_target=rags.count(Rag.GREEN),
        near=rags.count(Rag.AMBER),
        off=rags.count(Rag.RED),
        worsened=worsened,
        no_data=tuple(a.kpi.title for a in assessments if a.result.current.no_data),
    )
