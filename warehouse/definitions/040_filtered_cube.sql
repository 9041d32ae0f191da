-- The cube rows of a scope, a run of months, some measures and the filters (`wanted`: a map of each
-- filtered dimension's wanted values, Filters.query_params): the one place where the engine's filters
-- meet the cube.
CREATE OR REPLACE MACRO filtered_cube(scope, first_month, last_month, measures, wanted) AS TABLE
SELECT *
FROM kpi_cube
WHERE list_contains(scope, la_code)
  AND month BETWEEN first_month AND last_month
  AND list_contains(measures, measure)
  AND row_passes(wanted);
