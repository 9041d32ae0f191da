-- The cube rows of a scope, a run of months, some measures and the filters: the one place
-- where the engine's filters meet the cube.
CREATE OR REPLACE MACRO filtered_cube(scope, first_month, last_month, measures, wanted_areas, wanted_agencies,
                           wanted_age_bands, wanted_genders, wanted_ethnicities, wanted_categories,
                           wanted_in_care) AS TABLE
SELECT *
FROM kpi_cube
WHERE list_contains(scope, la_code)
  AND month BETWEEN first_month AND last_month
  AND list_contains(measures, measure)
  AND passes_filters(wanted_areas, wanted_agencies, wanted_age_bands, wanted_genders, wanted_ethnicities,
                     wanted_categories, wanted_in_care, area_code, agency, age_band, gender, ethnicity, category,
                     in_care);
