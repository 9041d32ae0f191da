-- The LAs that have data loaded (a cheap look at the load audit, not the facts).
SELECT DISTINCT la_code
FROM etl_load
WHERE status IN ('loaded', 'loaded_with_rejections') AND dataset <> 'areas' AND la_code IS NOT NULL
ORDER BY la_code;
