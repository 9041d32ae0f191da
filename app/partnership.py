"""The partnership's name, as printed packs and reports carry it."""

from __future__ import annotations

from warehouse.settings import environment


def partnership_name(la_codes: tuple[str, ...], las: dict[str, str]) -> str:
    """The name printed on the pack and the annual report: SAFEGUARD_PARTNERSHIP_NAME, else made from the LAs shown."""
    named = environment().partnership_name
    if named:
        return named
    return " and ".join(las.get(code, code) for code in la_codes) + " safeguarding children partnership"
