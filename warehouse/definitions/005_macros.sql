-- Shared SQL macros, so each rule is written once. Definitions hold no data: they are made anew
-- whenever a warehouse is built or migrated (warehouse/db.py `define`).

-- Age band at a date from the birth month; "Unknown" when there is no date of birth
-- (unborn children on a CP plan have none).
CREATE OR REPLACE MACRO age_band(birth_month, at_date) AS
    CASE
        WHEN birth_month IS NULL OR birth_month > at_date THEN 'Unknown'
        WHEN datediff('month', birth_month, at_date) < 12 THEN 'Under 1'
        WHEN datediff('month', birth_month, at_date) < 60 THEN '1-4'
        WHEN datediff('month', birth_month, at_date) < 120 THEN '5-9'
        WHEN datediff('month', birth_month, at_date) < 192 THEN '10-15'
        WHEN datediff('month', birth_month, at_date) < 216 THEN '16-17'
        ELSE '18+'
    END;

-- A missing episode's care status as the filters and tables show it. NULL is not known (an SSDA903
-- child its episodes file does not cover, migrations/0011): never counted as "Not in care".
CREATE OR REPLACE MACRO in_care_label(is_in_care) AS
    CASE WHEN is_in_care THEN 'In care' WHEN NOT is_in_care THEN 'Not in care' ELSE 'Not known' END;

-- A filter on one dimension: no filter (NULL list), or a dimension that does not apply to
-- the row (NULL value), lets the row through.
CREATE OR REPLACE MACRO passes(wanted, value) AS (wanted IS NULL OR value IS NULL OR list_contains(wanted, value));

-- A row against every filter of the KPI engine at once: the one place where the filters meet a
-- row of the cubes, the child tables or the raw events. A NULL row value is a dimension the row
-- does not have (category for contacts, say).
CREATE OR REPLACE MACRO passes_filters(wanted_areas, wanted_agencies, wanted_age_bands, wanted_genders, wanted_ethnicities,
                            wanted_categories, wanted_in_care, row_area, row_agency, row_age_band, row_gender,
                            row_ethnicity, row_category, row_in_care) AS (
    passes(wanted_areas, row_area)
    AND passes(wanted_agencies, row_agency)
    AND passes(wanted_age_bands, row_age_band)
    AND passes(wanted_genders, row_gender)
    AND passes(wanted_ethnicities, row_ethnicity)
    AND passes(wanted_categories, row_category)
    AND passes(wanted_in_care, row_in_care)
);

-- A record's cell key: a keyed hash of the record, uniform on [0, 2^32). The salt is the
-- warehouse's secret (meta cell_key_salt), so nobody outside the server can work a key out; the
-- same record keeps its key in every load (warehouse/kpis/suppression.py says how keys are used).
CREATE OR REPLACE MACRO record_key(salt, la_code, record_id) AS
    CAST(hash(la_code || '|' || record_id || '|' || salt) % 4294967296 AS BIGINT);
