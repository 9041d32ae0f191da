-- Children who went missing in each of the given runs of months ($windows: first and last
-- month of each), counted once per window however many episodes they had.
WITH windows AS (
    SELECT unnest($firsts::DATE[]) AS first_month, unnest($lasts::DATE[]) AS last_month
),
per_child AS (
    SELECT w.first_month, w.last_month, m.child_id, sum(m.episodes) AS episodes
    FROM missing_child_month AS m
    JOIN windows AS w ON m.month BETWEEN w.first_month AND w.last_month
    WHERE list_contains($la_codes::VARCHAR[], m.la_code)
      AND passes($areas::VARCHAR[], m.area_code)
      AND passes($agencies::VARCHAR[], m.agency)
      AND passes($age_bands::VARCHAR[], m.age_band)
      AND passes($genders::VARCHAR[], m.gender)
      AND passes($ethnicities::VARCHAR[], m.ethnicity)
      AND passes($in_care::VARCHAR[], m.in_care)
    GROUP BY ALL
)
SELECT first_month, last_month,
       count(*) AS missing_children,
       count(*) FILTER (WHERE episodes >= 2) AS missing_children_repeat,
       sum(episodes) AS missing_child_episodes
FROM per_child
GROUP BY first_month, last_month;
