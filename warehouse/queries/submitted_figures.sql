-- The current submitted figures (warehouse/definitions/050_figures.sql) of the measures for the LAs,
-- of the periods within the days, part by part, with who submitted each and when, and how many times
-- it has been corrected (revision): what the records page lists behind a figures KPI.
SELECT la_code, measure, period_start, period_end, part, value, submitted_by, submitted_at, revision, note
FROM current_figure
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND list_contains($measures::VARCHAR[], measure)
  AND period_start >= $first_day
  AND period_end <= $last_day
ORDER BY la_code, period_start, list_position($measures::VARCHAR[], measure), part;
