"""Normalising coded values: "b) Female", "q) 6: Police", "6" and "police" all become a code.

Code lists live in warehouse/reference/*.csv with their labels and aliases; this is the one
place that reads values against them.
"""

from __future__ import annotations

import re
from functools import cache

from warehouse.db import code_list

# Annex A lists prefix each option with a letter: "b) Female", "q) 6: Police".
_OPTION_LETTER = re.compile(r"^[a-z]{1,2}\)\s*", re.IGNORECASE)


@cache
def _lookup(codelist: str) -> dict[str, str]:
    table = code_list(codelist)
    lookup: dict[str, str] = {}
    for row in table.to_dict("records"):
        names = [row["code"], row["label"], *(a for a in row["aliases"].split("|") if a)]
        for name in names:
            lookup[name.strip().lower()] = row["code"]
    return lookup


def known_codes(codelist: str) -> list[str]:
    return list(code_list(codelist)["code"])


def normalise_code(value: str, codelist: str) -> str | None:
    """The code that a value stands for, or None if it stands for none."""
    lookup = _lookup(codelist)
    text = value.strip().lower()
    candidates = [text, _OPTION_LETTER.sub("", text)]
    stripped = candidates[-1]
    if ":" in stripped:
        code_part, label_part = (p.strip() for p in stripped.split(":", 1))
        candidates += [code_part, label_part]
    for candidate in candidates:
        if candidate in lookup:
            return lookup[candidate]
    return None


def code_or_original(value: str, codelist: str) -> str:
    """The value's code; a value that matches no code is kept as written, for validation to report."""
    return normalise_code(value, codelist) or value
