"""Who may see what: the one question every page, callback and export asks.

Until sign-in arrives (the access-control issue), every visitor is treated as a partner: all
the LAs the warehouse holds, with small numbers suppressed. Each data path calls
`current_scope()` on the server and never takes the scope from the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.state import reader
from warehouse.kpis.suppression import SuppressionPolicy


@dataclass(frozen=True)
class Scope:
    la_codes: tuple[str, ...]
    policy: SuppressionPolicy

    def allowed(self, requested: tuple[str, ...]) -> tuple[str, ...]:
        """The requested LAs that the scope includes; all of the scope if none are asked for."""
        kept = tuple(code for code in requested if code in self.la_codes)
        return kept or self.la_codes


def current_scope() -> Scope:
    las = reader().query("loaded_las")
    return Scope(la_codes=tuple(las["la_code"]), policy=SuppressionPolicy())
