-- The per-child missing measures of missing_children, counted straight from the facts.
WITH windows AS (
    SELECT unnest($firsts::DATE[]) AS first_month, unnest($lasts::DATE[]) AS last_month
),
episodes AS (
    SELECT f.child_id, CAST(f.start_datetime AS DATE) AS start_date, coalesce(f.area_code, 'Unknown') AS area_code,
           coalesce(a.label, 'Not recorded') AS agency, CAST(NULL AS VARCHAR) AS category, in_care_label(f.is_in_care) AS in_care,
           age_band(c.birth_month, CAST(f.start_datetime AS DATE)) AS age_band,
           c.* EXCLUDE (la_code, child_id, birth_month), g.*
    FROM missing_episode AS f
    CROSS JOIN generated_dimensions() AS g  -- NULL, passing every filter the episodes do not carry
    LEFT JOIN ref_reporting_agency AS a ON a.code = f.reporting_agency
    LEFT JOIN child_dimensions($la_codes::VARCHAR[]) AS c ON c.child_id = f.child_id
    WHERE list_contains($la_codes::VARCHAR[], f.la_code)
),
per_child AS (
    SELECT w.first_month, w.last_month, x.child_id, count(*) AS episodes
    FROM episodes AS x
    JOIN windows AS w ON x.start_date BETWEEN w.first_month AND last_day(w.last_month)
    WHERE row_passes(MAP($filter_dimensions::VARCHAR[], $filter_values::VARCHAR[][]))
    GROUP BY ALL
)
SELECT first_month, last_month,
       count(*) AS missing_children,
       count(*) FILTER (WHERE episodes >= 2) AS missing_children_repeat,
       sum(episodes) AS missing_child_episodes
FROM per_child
GROUP BY first_month, last_month;
