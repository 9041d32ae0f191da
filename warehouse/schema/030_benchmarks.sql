-- Published benchmarks: DfE/ONS figures for England, regions and LAs, one row per KPI, year
-- and area, filled from warehouse/benchmarks.py when the warehouse is built.
CREATE TABLE benchmark_value (
    kpi_id           VARCHAR NOT NULL,  -- e.g. re_referral_12m (docs: KPI-DEFINITIONS.md)
    time_period      INTEGER NOT NULL,  -- year the reporting year ends: 2025 = 2024/25
    financial_year   VARCHAR NOT NULL,  -- e.g. 2024/25
    geographic_level VARCHAR NOT NULL,  -- National, Regional or Local authority
    area_code        VARCHAR NOT NULL,  -- LA code (current code of the LA), E12/E13 region or E92000001
    area_name        VARCHAR NOT NULL,
    old_la_code      VARCHAR,           -- DfE 3-digit code, LAs only
    value            DOUBLE,            -- NULL when not published: never 0
    status           VARCHAR NOT NULL,  -- published, derived, or why there is no value: c, x, z, u, k, -, missing
    source           VARCHAR NOT NULL,  -- file and column(s)
    PRIMARY KEY (kpi_id, time_period, area_code)
);
