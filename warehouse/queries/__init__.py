"""Read queries, one SQL file each, run by name through `run` (or `run_rows`, for tuples, and
`run_records`, for dicts by column)."""

from warehouse.queries.run import Condition, run, run_records, run_rows

__all__ = ["Condition", "run", "run_records", "run_rows"]
