"""Read queries, one SQL file each, run by name through `run`."""

from warehouse.queries.run import run

__all__ = ["run"]
