-- The ONS mid-year estimates of children aged 0 to 17 of each LA in the scope, every year there is
-- (a few rows an LA): the engine takes, for each financial year, the estimate of the year it starts,
-- or the latest earlier one an LA has, as DfE does (warehouse/kpis/engine.py _populations).
SELECT la_code, mid_year, population
FROM population
WHERE ($la_codes::VARCHAR[] IS NULL OR list_contains($la_codes::VARCHAR[], la_code))  -- NULL: every LA
  AND age_group = '0-17'
ORDER BY mid_year;
