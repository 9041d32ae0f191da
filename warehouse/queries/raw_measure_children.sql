-- The counts of measure_children, straight from the facts: the distinct children among the events
-- of each measure (kpi_events) in each run of months.
WITH windows AS (
    SELECT unnest($firsts::DATE[]) AS first_month, unnest($lasts::DATE[]) AS last_month
)
SELECT w.first_month, w.last_month, e.measure, count(DISTINCT e.child_id) AS n
FROM filtered_events($la_codes::VARCHAR[], list_min($firsts::DATE[]), list_max($lasts::DATE[]),
                     $measures::VARCHAR[], MAP($filter_dimensions::VARCHAR[], $filter_values::VARCHAR[][])) AS e
JOIN windows AS w ON e.event_date BETWEEN w.first_month AND last_day(w.last_month)
GROUP BY ALL;
