-- Schema version 8 (SCHEMA_VERSION in warehouse/db.py). Bump it with any change to these files.
-- Reference dimensions: filled from warehouse/reference and warehouse/data/real when the
-- warehouse is built, never by agency extracts.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- One row per English local authority (DfE new and old codes) and its region.
CREATE TABLE local_authority (
    la_code     VARCHAR PRIMARY KEY,  -- new 9-character code, e.g. E08000021
    old_la_code VARCHAR NOT NULL,     -- DfE 3-digit code, e.g. 391
    la_name     VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    region_name VARCHAR NOT NULL,
    is_current  BOOLEAN NOT NULL      -- in the latest ONS year; older codes stay for history
);

-- DfE statistical neighbour model (2025): ten neighbours per LA, rank 1 the closest.
CREATE TABLE la_statistical_neighbour (
    la_code           VARCHAR NOT NULL,
    neighbour_la_code VARCHAR NOT NULL,
    neighbour_rank    INTEGER NOT NULL,
    closeness         VARCHAR,
    model             VARCHAR NOT NULL,
    PRIMARY KEY (la_code, model, neighbour_rank)
);

-- ONS mid-year estimates of children aged 0 to 17, one row per LA and mid-year.
CREATE TABLE population (
    la_code    VARCHAR NOT NULL,
    mid_year   INTEGER NOT NULL,
    age_group  VARCHAR NOT NULL,
    population INTEGER NOT NULL,
    PRIMARY KEY (la_code, mid_year, age_group)
);

-- One row per day; financial years run 1 April to 31 March.
CREATE TABLE calendar (
    calendar_date     DATE PRIMARY KEY,
    financial_year    VARCHAR NOT NULL,   -- e.g. 2024/25
    fy_start_year     INTEGER NOT NULL,   -- e.g. 2024
    fy_quarter        INTEGER NOT NULL,   -- Q1 is April to June
    month_start       DATE NOT NULL,
    is_weekend        BOOLEAN NOT NULL,
    is_bank_holiday   BOOLEAN NOT NULL,
    bank_holiday_name VARCHAR,
    is_working_day    BOOLEAN NOT NULL,
    working_day_number INTEGER NOT NULL  -- running count of working days, for working-day differences
);

CREATE TABLE area (
    la_code   VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    area_name VARCHAR NOT NULL,
    load_id   INTEGER NOT NULL,
    PRIMARY KEY (la_code, area_code)
);

-- Code lists (warehouse/reference/*.csv).
CREATE TABLE ref_referral_source (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, agency_group VARCHAR NOT NULL);
CREATE TABLE ref_abuse_category (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL);
CREATE TABLE ref_gender (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL);
CREATE TABLE ref_ethnicity (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, major_group VARCHAR NOT NULL);
CREATE TABLE ref_contact_outcome (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL);
CREATE TABLE ref_s47_outcome (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL);
CREATE TABLE ref_missing_type (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL);
CREATE TABLE ref_reporting_agency (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL);
