-- Monthly totals of cube measures for a scope, a run of months and the filters.
SELECT measure, month, sum(n) AS n, sum(key_sum) AS key_sum
FROM filtered_cube($la_codes::VARCHAR[], $first_month, $last_month, $measures::VARCHAR[],
                   MAP($filter_dimensions::VARCHAR[], $filter_values::VARCHAR[][]))
GROUP BY measure, month;
