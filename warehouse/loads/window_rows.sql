-- How many rows an extract's window holds for its LA: replace_window.sql deletes these (and any
-- older records the extract carries again). {table} and {event_date} come from the model's datasets.
SELECT count(*)
FROM {table}
WHERE la_code = $la_code
  AND CAST({event_date} AS DATE) BETWEEN $coverage_start AND $coverage_end;
