-- The same monthly measure totals as kpi_cube_monthly, counted straight from the facts.
-- Kept independent of the cube build on purpose: tests compare the two for every KPI, and the
-- KPI latency benchmark times the cube against this.
SELECT measure, date_trunc('month', event_date) AS month, count(*) AS n
FROM kpi_events($la_codes::VARCHAR[], $first_month, $last_month)
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND event_date BETWEEN $first_month AND last_day($last_month)
  AND list_contains($measures::VARCHAR[], measure)
  AND passes($areas::VARCHAR[], area_code)
  AND passes($agencies::VARCHAR[], agency)
  AND passes($age_bands::VARCHAR[], age_band)
  AND passes($genders::VARCHAR[], gender)
  AND passes($ethnicities::VARCHAR[], ethnicity)
  AND passes($categories::VARCHAR[], category)
  AND passes($in_care::VARCHAR[], in_care)
GROUP BY ALL;
