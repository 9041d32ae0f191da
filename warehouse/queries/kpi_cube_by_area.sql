-- Totals of one cube measure over a run of months, by area, for a scope and the filters.
SELECT area_code, sum(n) AS n, sum(key_sum) AS key_sum
FROM filtered_cube($la_codes::VARCHAR[], $first_month, $last_month, [$measure]::VARCHAR[],
                   MAP($filter_dimensions::VARCHAR[], $filter_values::VARCHAR[][]))
GROUP BY area_code;
