-- The events behind one measure for a scope, a run of months and the filters: pseudonymised
-- child IDs and dates only. The caller applies small-number suppression to the list as a whole.
SELECT child_id, event_date, measure
FROM filtered_events($la_codes::VARCHAR[], $first_month, $last_month, [$measure]::VARCHAR[],
                   MAP($filter_dimensions::VARCHAR[], $filter_values::VARCHAR[][]))
ORDER BY event_date, child_id
LIMIT $limit;
