-- Monthly cubes, rebuilt for the loaded LAs after each load (transforms/020_cubes.sql).
-- Dashboards read these; the facts serve drill-down. A dimension that does not apply to a
-- measure is NULL (category for contacts, say), so a filter on it leaves that measure alone.

-- One row per LA, month, measure and combination of dimensions; n is the count.
-- Flow measures sit in the month of their event; stock measures (cp_open, cp_open_2yrs) in
-- the month at whose end they were open.
CREATE TABLE kpi_cube (
    la_code      VARCHAR NOT NULL,
    month        DATE NOT NULL,
    measure      VARCHAR NOT NULL,
    area_code    VARCHAR,
    agency       VARCHAR,
    age_band     VARCHAR,
    gender       VARCHAR,
    ethnicity    VARCHAR,
    category     VARCHAR,
    in_care      VARCHAR,
    missing_type VARCHAR,
    n            BIGINT NOT NULL
);

-- Missing episodes per child and month, for counts of distinct children over any period.
CREATE TABLE missing_child_month (
    la_code      VARCHAR NOT NULL,
    month        DATE NOT NULL,
    child_id     VARCHAR NOT NULL,
    area_code    VARCHAR,
    agency       VARCHAR,
    age_band     VARCHAR,
    gender       VARCHAR,
    ethnicity    VARCHAR,
    in_care      VARCHAR,
    missing_type VARCHAR,
    episodes     BIGINT NOT NULL
);

-- Roll-ups of the two cubes over every dimension but the LA, for views with no filter (the
-- executive set, England-wide comparisons): a few thousand rows per LA instead of ~100,000.
CREATE TABLE kpi_cube_la (
    la_code VARCHAR NOT NULL,
    month   DATE NOT NULL,
    measure VARCHAR NOT NULL,
    n       BIGINT NOT NULL
);

CREATE TABLE missing_child_month_la (
    la_code  VARCHAR NOT NULL,
    month    DATE NOT NULL,
    child_id VARCHAR NOT NULL,
    episodes BIGINT NOT NULL
);
