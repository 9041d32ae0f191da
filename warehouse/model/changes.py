"""What a new model changes against the applied one, and which KPIs and pages that reaches: what
`safeguard model check` shows before anything is applied."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.model.files import Model


@dataclass(frozen=True)
class Change:
    kind: str  # dataset, dimension, measure, kpi, page, priority or board (its executive, priority, pack)
    id: str
    what: str  # added, removed or changed

    def __str__(self) -> str:
        return f"{self.kind} {self.id}: {self.what}"


def _declarations(model: Model) -> dict[tuple[str, str], dict]:
    found = {("dataset", name): d.model_dump() for name, d in model.datasets.items()}
    found |= {("dataset", name): d.model_dump() for name, d in model.figures.items()}
    found |= {("dimension", d.id): d.model_dump() for d in model.dimensions}
    found |= {("measure", m.id): m.model_dump() for m in model.measures.values()}
    found |= {("kpi", k.id): k.model_dump() for k in model.kpis.values()}
    found |= {("page", p.id): p.model_dump() for p in model.pages}
    found |= {("priority", p.id): p.model_dump() for p in model.priorities}
    board = model.board.model_dump()
    found |= {("board", key): {"value": value} for key, value in board.items() if value is not None}
    return found


# What each key of a partnership's [board] puts before the board: the pages it changes.
BOARD_PAGES = {
    "executive": ("Executive summary (/)", "Meeting pack (/pack)", "Exception report (/exceptions)"),
    "priority": ("Scorecard (/scorecard)", "Exception report (/exceptions)"),
    "pack": ("Meeting pack (/pack)",),
}


def changes(before: Model, after: Model) -> list[Change]:
    old, new = _declarations(before), _declarations(after)
    found = [Change(*key, "added") for key in new if key not in old]
    found += [Change(*key, "removed") for key in old if key not in new]
    found += [Change(*key, "changed") for key in new if key in old and new[key] != old[key]]
    return sorted(found, key=lambda c: (c.kind, c.id))


def affected_kpis(before: Model, after: Model, found: list[Change]) -> list[str]:
    """KPIs declared, dropped or changed, or whose dataset, measures or filters changed."""
    ids = {(c.kind, c.id) for c in found}
    touched_dimensions = {c.id for c in found if c.kind == "dimension"}
    kpis = []
    for model in (after, before):
        for kpi in model.kpis.values():
            measures = {kpi.numerator, kpi.denominator} - {None}
            if (
                ("kpi", kpi.id) in ids
                or ("dataset", kpi.dataset) in ids
                or any(("measure", m) in ids for m in measures)
                or touched_dimensions & set(kpi.dimensions)
            ):
                kpis.append(kpi.id)
    return list(dict.fromkeys(kpis))


def affected_pages(before: Model, after: Model, found: list[Change], kpis: list[str]) -> list[str]:
    """The pages that show any of `kpis`, or were themselves declared, dropped or changed; the
    scorecard when a priority or a KPI under one is; those a change of the [board] reaches."""
    changed_pages = {c.id for c in found if c.kind == "page"}
    pages = [page for c in found if c.kind == "board" for page in BOARD_PAGES[c.id]]
    if any(kpi in model.executive_kpis for model in (before, after) for kpi in kpis):
        pages.append("Executive summary (/)")
    if (
        any(c.kind == "priority" for c in found)
        or any(model.kpis[kpi].priority for model in (before, after) for kpi in kpis if kpi in model.kpis)
        or any(
            kpi in ks for model in (before, after) for _t, ks in model.scorecard_priorities for kpi in kpis
        )
    ):
        pages.append("Scorecard (/scorecard)")
    for model in (after, before):
        pages += [
            f"{p.title} (/{p.id})" for p in model.pages if p.id in changed_pages or set(p.kpis) & set(kpis)
        ]
    return list(dict.fromkeys(pages))
