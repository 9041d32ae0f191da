-- The events behind one measure for a scope, a run of months and the filters: pseudonymised
-- child IDs and dates only. The caller applies small-number suppression to the list as a whole.
SELECT child_id, event_date, measure
FROM kpi_events($la_codes::VARCHAR[], $first_month, $last_month)
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND event_date BETWEEN $first_month AND last_day($last_month)
  AND measure = $measure
  AND passes($areas::VARCHAR[], area_code)
  AND passes($agencies::VARCHAR[], agency)
  AND passes($age_bands::VARCHAR[], age_band)
  AND passes($genders::VARCHAR[], gender)
  AND passes($ethnicities::VARCHAR[], ethnicity)
  AND passes($categories::VARCHAR[], category)
  AND passes($in_care::VARCHAR[], in_care)
ORDER BY event_date, child_id
LIMIT $limit;
