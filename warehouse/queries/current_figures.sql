-- The current submitted figure (warehouse/definitions/050_figures.sql) of each measure for the LAs,
-- per period within the days, with its cell key. A measure given in parts is the sum of its parts
-- (the whole's own row, if one was given too, is not added to them); NULL, not available, if any
-- figure summed is.
SELECT
    la_code,
    measure,
    period_start,
    CASE
        WHEN count(*) FILTER (part <> '') > 0
            THEN CASE WHEN count(*) FILTER (part <> '') = count(value) FILTER (part <> '')
                THEN sum(value) FILTER (part <> '') END
        ELSE CASE WHEN count(*) = count(value) THEN sum(value) END
    END AS value,
    CASE
        WHEN count(*) FILTER (part <> '') > 0 THEN sum(cell_key) FILTER (part <> '')
        ELSE sum(cell_key)
    END AS key_sum,
    max(period_end) AS period_end  -- one per period_start: a dataset's periods follow its cadence
FROM current_figure
WHERE ($la_codes IS NULL OR list_contains($la_codes::VARCHAR[], la_code))
  AND ($measures IS NULL OR list_contains($measures::VARCHAR[], measure))
  AND period_start >= $first_day
  AND period_end <= $last_day
GROUP BY la_code, measure, period_start;
