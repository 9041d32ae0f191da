-- What an extract replaces: its LA's records whose event date falls in the coverage window,
-- and any of its LA's records that the extract carries again (corrections to older records).
-- {table}, {event_date} and {id_column} come from the model's datasets, never from a file.
DELETE FROM {table}
WHERE la_code = $la_code
  AND (CAST({event_date} AS DATE) BETWEEN $coverage_start AND $coverage_end
       OR {id_column} IN (SELECT {id_column} FROM incoming));
