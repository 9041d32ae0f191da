-- Children aged 0 to 17 in the scope, from the ONS mid-year estimate of $mid_year, or the
-- latest earlier year an LA has (DfE uses the estimate of the year the financial year starts).
SELECT sum(population) AS population, min(mid_year) AS mid_year, count(*) AS las_found
FROM (
    SELECT la_code, arg_max(population, mid_year) AS population, max(mid_year) AS mid_year
    FROM population
    WHERE list_contains($la_codes::VARCHAR[], la_code) AND mid_year <= $mid_year AND age_group = '0-17'
    GROUP BY la_code
);
