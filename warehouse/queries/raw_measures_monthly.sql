-- The same monthly measure totals as kpi_cube_monthly, counted straight from the facts.
-- Kept independent of the cube build on purpose: tests compare the two for every KPI, and the
-- KPI latency benchmark times the cube against this.
SELECT measure, date_trunc('month', event_date) AS month, count(*) AS n
FROM filtered_events($la_codes::VARCHAR[], $first_month, $last_month, $measures::VARCHAR[],
                   MAP($filter_dimensions::VARCHAR[], $filter_values::VARCHAR[][]))
GROUP BY ALL;
