"""ETL: readers by source format, then staging, validation and the atomic load."""
