-- Totals of cube measures over a run of months, by the parts of one dimension ($part: its cube
-- column), for share KPIs.
SELECT measure, struct_extract(f, $part) AS part, sum(n) AS n, sum(key_sum) AS key_sum
FROM filtered_cube($la_codes::VARCHAR[], $first_month, $last_month, $measures::VARCHAR[],
                   MAP($filter_dimensions::VARCHAR[], $filter_values::VARCHAR[][])) AS f
GROUP BY ALL;
