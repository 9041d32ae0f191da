-- Totals of cube measures over a run of months, by agency and by category, for share KPIs.
SELECT measure, agency, category, sum(n) AS n
FROM kpi_cube
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND month BETWEEN $first_month AND $last_month
  AND list_contains($measures::VARCHAR[], measure)
  AND passes($areas::VARCHAR[], area_code)
  AND passes($agencies::VARCHAR[], agency)
  AND passes($age_bands::VARCHAR[], age_band)
  AND passes($genders::VARCHAR[], gender)
  AND passes($ethnicities::VARCHAR[], ethnicity)
  AND passes($categories::VARCHAR[], category)
  AND passes($in_care::VARCHAR[], in_care)
GROUP BY measure, agency, category;
