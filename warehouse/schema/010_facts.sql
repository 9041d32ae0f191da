-- Facts: one row per event, each with la_code, child_id (a keyed hash, never the source ID),
-- area_code and the load that brought it. A record's key is (la_code, <record>_id).

-- One row per pseudonymised child; the latest load that mentions a child sets its attributes.
CREATE TABLE child (
    child_id        VARCHAR NOT NULL,  -- unique: each load deletes before it inserts
    la_code         VARCHAR NOT NULL,
    birth_month     DATE,              -- date of birth cut to the 1st of its month
    gender          VARCHAR,
    ethnicity       VARCHAR,
    has_disability  BOOLEAN,
    area_code       VARCHAR,
    postcode_sector VARCHAR,
    load_id         INTEGER NOT NULL
);

CREATE TABLE contact (
    la_code      VARCHAR NOT NULL,
    contact_id   VARCHAR NOT NULL,
    child_id     VARCHAR NOT NULL,
    area_code    VARCHAR,
    contact_date DATE NOT NULL,
    source       VARCHAR NOT NULL,
    outcome      VARCHAR,  -- blank when the source does not record it (Annex A List 1)
    load_id      INTEGER NOT NULL
);

CREATE TABLE referral (
    la_code          VARCHAR NOT NULL,
    referral_id      VARCHAR NOT NULL,
    child_id         VARCHAR NOT NULL,
    area_code        VARCHAR,
    referral_date    DATE NOT NULL,
    source           VARCHAR NOT NULL,
    is_nfa           BOOLEAN NOT NULL,
    contact_id       VARCHAR,
    -- Derived after each load (warehouse/transforms): a previous referral of the same child
    -- on or after referral_date minus 12 months.
    is_rereferral_12m BOOLEAN,
    load_id          INTEGER NOT NULL
);

CREATE TABLE s47_enquiry (
    la_code           VARCHAR NOT NULL,
    s47_id            VARCHAR NOT NULL,
    child_id          VARCHAR NOT NULL,
    area_code         VARCHAR,
    referral_id       VARCHAR,
    start_date        DATE NOT NULL,
    end_date          DATE,
    outcome           VARCHAR,
    icpc_date         DATE,
    icpc_not_required BOOLEAN,
    -- Derived: working days from start_date to icpc_date, on the English bank-holiday calendar.
    icpc_working_days INTEGER,
    load_id           INTEGER NOT NULL
);

CREATE TABLE cp_plan (
    la_code          VARCHAR NOT NULL,
    cp_plan_id       VARCHAR NOT NULL,
    child_id         VARCHAR NOT NULL,
    area_code        VARCHAR,
    s47_id           VARCHAR,
    start_date       DATE NOT NULL,
    end_date         DATE,
    initial_category VARCHAR NOT NULL,
    latest_category  VARCHAR NOT NULL,
    previous_plans   INTEGER,
    -- Derived: a second or subsequent plan, from previous_plans or an earlier plan in the warehouse.
    is_repeat_plan   BOOLEAN,
    load_id          INTEGER NOT NULL
);

CREATE TABLE missing_episode (
    la_code              VARCHAR NOT NULL,
    episode_id           VARCHAR NOT NULL,
    child_id             VARCHAR NOT NULL,
    area_code            VARCHAR,
    start_datetime       TIMESTAMP NOT NULL,
    end_datetime         TIMESTAMP,
    missing_type         VARCHAR NOT NULL,
    is_in_care           BOOLEAN NOT NULL,
    rhi_offered_datetime TIMESTAMP,
    rhi_accepted         BOOLEAN,
    reporting_agency     VARCHAR,
    load_id              INTEGER NOT NULL
);

-- Children and families assessments, from Annex A List 4 or the CIN census (migration 0015 adds the
-- factors identified at assessment, which the factors KPIs count); they link referrals to what followed.
CREATE TABLE assessment (
    la_code         VARCHAR NOT NULL,
    assessment_id   VARCHAR NOT NULL,
    child_id        VARCHAR NOT NULL,
    area_code       VARCHAR,
    referral_id     VARCHAR,
    start_date      DATE NOT NULL,
    authorised_date DATE,
    load_id         INTEGER NOT NULL
);

-- Annex A List 8 gives, per child in care, counts of missing and away episodes over the 12
-- months to the return's date, not the episodes: kept as counts, to reconcile with episodes.
CREATE TABLE cla_missing_count (
    la_code          VARCHAR NOT NULL,
    count_id         VARCHAR NOT NULL,
    child_id         VARCHAR NOT NULL,
    area_code        VARCHAR,
    as_at_date       DATE NOT NULL,
    missing_episodes INTEGER,
    away_episodes    INTEGER,
    rhi_offered      BOOLEAN,
    rhi_accepted     BOOLEAN,
    load_id          INTEGER NOT NULL
);
