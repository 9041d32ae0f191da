"""Read queries, one SQL file each, run by name through `run` (or `run_rows`, for tuples)."""

from warehouse.queries.run import run, run_rows

__all__ = ["run", "run_rows"]
