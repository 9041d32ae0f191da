"""Staging's column-at-a-time work gives what its one-value rules give: postcode sectors, and the
rows whose record ID an earlier row has."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from etl.staging.native import postcode_sector, postcode_sectors
from etl.validate.schemas import repeated_ids

# Worked by hand from the rule: upper-case, every whitespace out, then outward code and the sector's
# digit; anything else is no sector.
SECTORS = {
    "ne4 6su": "NE4 6",
    "  NE4 6SU ": "NE4 6",
    "NE46SU": "NE4 6",
    "ne4\t6su": "NE4 6",
    "NE4  6SU": "NE4 6",
    "ne4\x0b6su": "NE4 6",  # a vertical tab: Python's whitespace, not RE2's \s
    "ne4\x1c6su": "NE4 6",  # a file separator: whitespace to Python too
    "NE4\xa06SU": "NE4 6",  # a no-break space (not ASCII): read one by one
    "sw1a1aa": "SW1A 1",
    "DN55 1PT": "DN55 1",
    "ß1 1AA": "SS1 1",  # upper-cased as Python does it: ß is SS
    "NE4 6S": None,
    "NE4 6SU extra": None,
    "AB12 3CDE": None,
    "12345": None,
    "x": None,
    "": None,
    "   ": None,
    None: None,
}


def test_postcode_sectors_are_the_sectors_worked_by_hand_in_any_chunking():
    values = list(SECTORS)
    chunked = pa.chunked_array([pa.array(values[:7], pa.string()), pa.array(values[7:], pa.string())])
    assert postcode_sectors(chunked).to_pylist() == list(SECTORS.values())


@pytest.mark.parametrize("seed", [1, 2])
def test_postcode_sectors_agree_with_the_one_value_rule_on_random_text(seed):
    rng = np.random.default_rng(seed)
    alphabet = list("AB12 CDnE34\t5\x0b6XYZ\xa0s")
    values = ["".join(rng.choice(alphabet, size=rng.integers(0, 9))) for _ in range(20_000)]
    expected = [postcode_sector(v.strip()) if v.strip() else None for v in values]
    assert postcode_sectors(pa.chunked_array([pa.array(values)])).to_pylist() == expected
    assert sum(e is not None for e in expected) > 100  # the alphabet makes real sectors too


def test_the_rows_repeating_an_earlier_rows_id_are_found_and_blanks_are_never_repeats():
    ids = pa.chunked_array([pa.array(["a", "b", None]), pa.array(["a", "c", None, "b", "b"])])
    assert repeated_ids(ids).tolist() == [3, 6, 7]
    assert repeated_ids(pa.chunked_array([pa.array(["a", None, None, "b"])])).tolist() == []
    assert repeated_ids(pa.chunked_array([pa.array([None, None], pa.string())])).tolist() == []
