-- The events behind one measure for a scope, a run of months and the filters: pseudonymised IDs
-- (the child's, or for records about no child the adult's or household's) and dates only. The
-- caller applies small-number suppression to the list as a whole.
SELECT coalesce(child_id, person_id) AS subject_id, event_date, measure
FROM filtered_events($la_codes::VARCHAR[], $first_month, $last_month, [$measure]::VARCHAR[],
                   MAP($filter_dimensions::VARCHAR[], $filter_values::VARCHAR[][]))
ORDER BY event_date, subject_id
LIMIT $limit;
