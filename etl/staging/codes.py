"""Normalising coded values: "b) Female", "q) 6: Police", "6" and "police" all become a code.

Code lists live in warehouse/reference/*.csv with their labels and aliases, or in a column's
declaration (a partnership's own codes); this is the one place that reads values against them.
A code list is given as a shipped list's name or as the column's codes (Column.code_list).
"""

from __future__ import annotations

import re
from functools import cache

from warehouse.db import code_list
from warehouse.model.datasets import Code

# Annex A lists prefix each option with a letter: "b) Female", "q) 6: Police".
_OPTION_LETTER = re.compile(r"^[a-z]{1,2}\)\s*", re.IGNORECASE)

CodeList = str | tuple[Code, ...]


def _rows(codelist: CodeList) -> list[tuple[str, str, list[str]]]:
    """Each code with its label and aliases."""
    if isinstance(codelist, str):
        table = code_list(codelist)
        return [
            (row["code"], row["label"], [a for a in row["aliases"].split("|") if a])
            for row in table.to_dict("records")
        ]
    return [(c.code, c.label, list(c.aliases)) for c in codelist]


@cache
def _lookup(codelist: CodeList) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, label, aliases in _rows(codelist):
        for name in [code, label, *aliases]:
            lookup[name.strip().lower()] = code
    return lookup


@cache  # asked once per cell of a `codes` column: reading the list each time cost a national load minutes
def known_codes(codelist: CodeList) -> tuple[str, ...]:
    return tuple(code for code, _, _ in _rows(codelist))


@cache
def _code_order(codelist: CodeList) -> dict[str, int]:
    return {code: index for index, code in enumerate(known_codes(codelist))}


def normalise_code(value: str, codelist: CodeList) -> str | None:
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


def code_or_original(value: str, codelist: CodeList) -> str:
    """The value's code; a value that matches no code is kept as written, for validation to report."""
    return normalise_code(value, codelist) or value


# What separates the codes of a `codes` column: "1B;2B;4A" or "1B, 2B" (a label may hold spaces).
CODE_SEPARATORS = re.compile(r"\s*[;,]\s*")
CODES_JOINER = ";"


def codes_or_original(value: str, codelist: CodeList) -> str | None:
    """Each code of a cell of several, in the list's order, once, joined by ';'; a part that matches
    no code is kept as written, for validation to report. A cell of separators only is blank."""
    parts = [part for part in CODE_SEPARATORS.split(value.strip()) if part]
    if not parts:
        return None
    found = {normalise_code(part, codelist) or part for part in parts}
    order = _code_order(codelist)
    return CODES_JOINER.join(sorted(found, key=lambda code: (order.get(code, len(order)), code)))


def unknown_parts(value: str, codelist: CodeList) -> list[str]:
    """The parts of a staged `codes` cell that are not codes of the list."""
    known = _code_order(codelist)
    return [part for part in value.split(CODES_JOINER) if part not in known]
