-- What has arrived of each figures dataset, per LA and period: the first submission (when, by whom),
-- the latest, how many corrections followed the first, and how many figures are now given (a figure
-- marked not available counts as given). For the submission tracker (warehouse/tracker.py).
WITH received AS (
    SELECT dataset, la_code, period_start,
           min(submitted_at) AS first_at,
           arg_min(submitted_by, submission_id) AS first_by,
           max(submitted_at) AS last_at,
           arg_max(submitted_by, submission_id) AS last_by,
           count(*) - 1 AS corrections
    FROM submission
    WHERE list_contains($datasets, dataset)
    GROUP BY dataset, la_code, period_start
),
given AS (
    SELECT dataset, la_code, period_start, count(*) AS figures_given
    FROM current_figure
    WHERE list_contains($datasets, dataset)
    GROUP BY dataset, la_code, period_start
)
SELECT r.dataset, r.la_code, r.period_start, r.first_at, r.first_by, r.last_at, r.last_by, r.corrections,
       coalesce(g.figures_given, 0) AS figures_given
FROM received AS r
LEFT JOIN given AS g USING (dataset, la_code, period_start)
ORDER BY r.dataset, r.la_code, r.period_start;
