-- The distinct children of a partnership's own per-child measures (timing "children") in each of the
-- given runs of months (first and last month of each), a child counted once in a run however many
-- months it has records in, with the children's cell keys, for a scope and the filters.
WITH windows AS (
    SELECT unnest($firsts::DATE[]) AS first_month, unnest($lasts::DATE[]) AS last_month
),
per_child AS (
    SELECT w.first_month, w.last_month, m.measure, m.child_id, min(m.child_key) AS child_key
    FROM measure_child_month AS m
    JOIN windows AS w ON m.month BETWEEN w.first_month AND w.last_month
    WHERE list_contains($la_codes::VARCHAR[], m.la_code)
      AND list_contains($measures::VARCHAR[], m.measure)
      AND {{row_filter}}
    GROUP BY ALL
)
SELECT first_month, last_month, measure, count(*) AS n, sum(child_key) AS key_sum
FROM per_child
GROUP BY ALL;
