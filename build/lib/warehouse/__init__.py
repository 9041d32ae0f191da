"""The DuckDB warehouse: schema, reference data, transforms and read queries."""
