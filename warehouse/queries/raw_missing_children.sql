-- The per-child missing measures of missing_children, counted straight from the facts.
WITH windows AS (
    SELECT unnest($firsts::DATE[]) AS first_month, unnest($lasts::DATE[]) AS last_month
),
episodes AS (
    SELECT f.child_id, CAST(f.start_datetime AS DATE) AS start_date, coalesce(f.area_code, 'Unknown') AS area_code,
           coalesce(a.label, 'Not recorded') AS agency,
           age_band(c.birth_month, CAST(f.start_datetime AS DATE)) AS age_band,
           coalesce(c.gender, 'U') AS gender, coalesce(e.major_group, 'Not known') AS ethnicity,
           in_care_label(f.is_in_care) AS in_care
    FROM missing_episode AS f
    LEFT JOIN ref_reporting_agency AS a ON a.code = f.reporting_agency
    LEFT JOIN child AS c ON c.child_id = f.child_id
    LEFT JOIN ref_ethnicity AS e ON e.code = c.ethnicity
    WHERE list_contains($la_codes::VARCHAR[], f.la_code)
),
per_child AS (
    SELECT w.first_month, w.last_month, x.child_id, count(*) AS episodes
    FROM episodes AS x
    JOIN windows AS w ON x.start_date BETWEEN w.first_month AND last_day(w.last_month)
    WHERE passes_filters($areas::VARCHAR[], $agencies::VARCHAR[], $age_bands::VARCHAR[], $genders::VARCHAR[],
                         $ethnicities::VARCHAR[], NULL::VARCHAR[], $in_care::VARCHAR[], x.area_code, x.agency,
                         x.age_band, x.gender, x.ethnicity, NULL, x.in_care)
    GROUP BY ALL
)
SELECT first_month, last_month,
       count(*) AS missing_children,
       count(*) FILTER (WHERE episodes >= 2) AS missing_children_repeat,
       sum(episodes) AS missing_child_episodes
FROM per_child
GROUP BY first_month, last_month;
