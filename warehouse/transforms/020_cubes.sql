-- Rebuilds the monthly cubes for the LAs of a load ($la_codes).
-- Beside each count n, key_sum adds up the records' cell keys (record_key, a keyed hash of the
-- record): the key of any total is the sum of its rows' key_sums, so the same records always give
-- the same key, however they are reached. Disclosure control rounds by it (warehouse/kpis/suppression.py).
-- Each `INSERT INTO kpi_cube BY NAME <query>` here is not run where it stands: its query joins the
-- model's datasets' in one insert of their union, after the rest of this file (warehouse/db.py
-- run_transforms), so the temporary tables below are all made by then. An LA's first rows go into
-- kpi_cube, and the all-LA cube (loads/kpi_cube_all_add.sql); an LA's cubes rebuilt go into
-- kpi_cube_rebuilt, and only the rows that changed replace theirs (loads/kpi_cube_changes.sql).
CREATE OR REPLACE TEMP TABLE kpi_cube_rebuilt AS SELECT * FROM kpi_cube LIMIT 0;

DELETE FROM missing_child_month WHERE list_contains($la_codes, la_code);
-- A partnership's own datasets' counts of children (warehouse/model/sql.py measures_cube_sql).
DELETE FROM measure_child_month WHERE list_contains($la_codes, la_code);

-- Every insert names its columns (BY NAME): a record's own dimensions, then the child's, which
-- come from the model (child_dimensions, warehouse/model/sql.py) so that a new one needs no change
-- here. A dimension a dataset does not carry is left NULL, which every filter lets through.
CREATE OR REPLACE TEMP TABLE child_dims AS
SELECT * FROM child_dimensions($la_codes);

CREATE OR REPLACE TEMP VIEW referral_agency AS
SELECT r.la_code, r.referral_id, s.agency_group AS agency
FROM referral AS r JOIN ref_referral_source AS s ON s.code = r.source;

-- Each record's cell key and its child's dimensions are found once per record, before the record
-- becomes a row per measure (and, for a stock, per month end) it counts in.

-- Contacts and referrals: the agency is the source's agency group. A record's measures share its
-- date, so the records are grouped once, each measure counted by its own filter, and each group
-- then gives a row per measure it has records of.
INSERT INTO kpi_cube BY NAME
SELECT g.* EXCLUDE (n_all, key_all, n_outcome, key_outcome, n_referred, key_referred), m.measure, m.n, m.key_sum
FROM (
    SELECT f.la_code, date_trunc('month', f.contact_date) AS month, coalesce(f.area_code, 'Unknown') AS area_code,
           s.agency_group AS agency, age_band(d.birth_month, f.contact_date) AS age_band,
           d.* EXCLUDE (la_code, child_id, birth_month),
           count(*) AS n_all, sum(f.cell_key) AS key_all,
           count(*) FILTER (f.outcome IS NOT NULL) AS n_outcome, sum(f.cell_key) FILTER (f.outcome IS NOT NULL) AS key_outcome,
           count(*) FILTER (f.outcome = 'REF') AS n_referred, sum(f.cell_key) FILTER (f.outcome = 'REF') AS key_referred
    FROM (SELECT *, record_key($cell_key_salt, la_code, contact_id) AS cell_key
          FROM contact WHERE list_contains($la_codes, la_code)) AS f
    JOIN ref_referral_source AS s ON s.code = f.source
    LEFT JOIN child_dims AS d USING (child_id)
    GROUP BY ALL
) AS g
CROSS JOIN LATERAL (
    VALUES ('contacts', g.n_all, g.key_all),
           ('contacts_with_outcome', g.n_outcome, g.key_outcome),
           ('contacts_to_referral', g.n_referred, g.key_referred)
) AS m(measure, n, key_sum)
WHERE m.n > 0;

INSERT INTO kpi_cube BY NAME
SELECT g.* EXCLUDE (n_all, key_all, n_rereferral, key_rereferral, n_nfa, key_nfa), m.measure, m.n, m.key_sum
FROM (
    SELECT f.la_code, date_trunc('month', f.referral_date) AS month, coalesce(f.area_code, 'Unknown') AS area_code,
           s.agency_group AS agency, age_band(d.birth_month, f.referral_date) AS age_band,
           d.* EXCLUDE (la_code, child_id, birth_month),
           count(*) AS n_all, sum(f.cell_key) AS key_all,
           count(*) FILTER (f.is_rereferral_12m) AS n_rereferral, sum(f.cell_key) FILTER (f.is_rereferral_12m) AS key_rereferral,
           count(*) FILTER (f.is_nfa) AS n_nfa, sum(f.cell_key) FILTER (f.is_nfa) AS key_nfa
    FROM (SELECT *, record_key($cell_key_salt, la_code, referral_id) AS cell_key
          FROM referral WHERE list_contains($la_codes, la_code)) AS f
    JOIN ref_referral_source AS s ON s.code = f.source
    LEFT JOIN child_dims AS d USING (child_id)
    GROUP BY ALL
) AS g
CROSS JOIN LATERAL (
    VALUES ('referrals', g.n_all, g.key_all),
           ('rereferrals_12m', g.n_rereferral, g.key_rereferral),
           ('referrals_nfa', g.n_nfa, g.key_nfa)
) AS m(measure, n, key_sum)
WHERE m.n > 0;

-- Section 47 enquiries: the agency is that of the referral that led to the enquiry. Each
-- measure sits in the month of its own date: start, end or ICPC.
INSERT INTO kpi_cube BY NAME
SELECT f.la_code, date_trunc('month', m.event_date) AS month, m.measure, coalesce(f.area_code, 'Unknown') AS area_code,
       f.agency, age_band(f.birth_month, m.event_date) AS age_band,
       child_row.* EXCLUDE (la_code, child_id, birth_month), count(*) AS n, sum(f.cell_key) AS key_sum
FROM (
    SELECT e.*, coalesce(ra.agency, 'Unknown') AS agency, d.birth_month, d AS child_row,
           record_key($cell_key_salt, e.la_code, e.s47_id) AS cell_key
    FROM s47_enquiry AS e
    LEFT JOIN referral_agency AS ra ON ra.la_code = e.la_code AND ra.referral_id = e.referral_id
    LEFT JOIN child_dims AS d ON d.child_id = e.child_id
    WHERE list_contains($la_codes, e.la_code)
) AS f
CROSS JOIN LATERAL (
    VALUES ('s47_started', f.start_date, TRUE),
           ('s47_ended', f.end_date, TRUE),
           ('s47_ended_icpc', f.end_date, f.icpc_date IS NOT NULL OR f.outcome = 'ICPC'),
           ('s47_ended_nfa', f.end_date, f.outcome = 'NFA' AND f.icpc_date IS NULL),
           ('icpc', f.icpc_date, TRUE),
           ('icpc_15wd', f.icpc_date, f.icpc_working_days <= 15)
) AS m(measure, event_date, counts)
WHERE m.event_date IS NOT NULL AND m.counts
GROUP BY ALL;

-- CP plans: starts and ends by their initial category; the agency is that of the referral
-- behind the enquiry whose conference started the plan.
CREATE OR REPLACE TEMP TABLE cp_plan_agency AS
SELECT f.*, coalesce(ra.agency, 'Unknown') AS agency, d.birth_month, d AS child_row,
       record_key($cell_key_salt, f.la_code, f.cp_plan_id) AS cell_key
FROM cp_plan AS f
LEFT JOIN s47_enquiry AS s ON s.la_code = f.la_code AND s.s47_id = f.s47_id
LEFT JOIN referral_agency AS ra ON ra.la_code = s.la_code AND ra.referral_id = s.referral_id
LEFT JOIN child_dims AS d ON d.child_id = f.child_id
WHERE list_contains($la_codes, f.la_code);

INSERT INTO kpi_cube BY NAME
SELECT f.la_code, date_trunc('month', m.event_date) AS month, m.measure, coalesce(f.area_code, 'Unknown') AS area_code,
       f.agency, age_band(f.birth_month, m.event_date) AS age_band, f.initial_category AS category,
       child_row.* EXCLUDE (la_code, child_id, birth_month), count(*) AS n, sum(f.cell_key) AS key_sum
FROM cp_plan_agency AS f
CROSS JOIN LATERAL (
    VALUES ('cp_started', f.start_date, TRUE),
           ('cp_started_repeat', f.start_date, f.is_repeat_plan),
           ('cp_ended', f.end_date, TRUE),
           ('cp_ended_2yrs', f.end_date, f.end_date >= f.start_date + INTERVAL 2 YEAR)
) AS m(measure, event_date, counts)
WHERE m.event_date IS NOT NULL AND m.counts
GROUP BY ALL;

-- Stock: plans open at each month end (started on or before it, not ended by it), by their
-- latest category. Months run to the last month any load of the LA covers.
INSERT INTO kpi_cube BY NAME
SELECT f.la_code, me.month, m.measure, coalesce(f.area_code, 'Unknown') AS area_code, f.agency,
       age_band(f.birth_month, me.month_end) AS age_band, f.latest_category AS category,
       child_row.* EXCLUDE (la_code, child_id, birth_month), count(*) AS n, sum(f.cell_key) AS key_sum
FROM cp_plan_agency AS f
JOIN (
    SELECT DISTINCT month_start AS month, last_day(month_start) AS month_end
    FROM calendar
    WHERE calendar_date BETWEEN (SELECT min(start_date) FROM cp_plan WHERE list_contains($la_codes, la_code))
                            AND (SELECT max(coverage_end) FROM etl_load WHERE list_contains($la_codes, la_code))
) AS me ON f.start_date <= me.month_end AND (f.end_date IS NULL OR f.end_date > me.month_end)
CROSS JOIN (VALUES ('cp_open'), ('cp_open_2yrs')) AS m(measure)
WHERE m.measure = 'cp_open' OR f.start_date <= me.month_end - INTERVAL 2 YEAR
GROUP BY ALL;

-- Missing episodes: starts by the month they began; endings (and return interviews) by the
-- month the child came back.
CREATE OR REPLACE TEMP TABLE missing_labels AS
SELECT f.*, coalesce(a.label, 'Not recorded') AS agency, in_care_label(f.is_in_care) AS in_care,
       CASE f.missing_type WHEN 'M' THEN 'Missing' ELSE 'Away' END AS missing_label,
       d.birth_month, d AS child_row, record_key($cell_key_salt, f.la_code, f.episode_id) AS cell_key
FROM missing_episode AS f
LEFT JOIN ref_reporting_agency AS a ON a.code = f.reporting_agency
LEFT JOIN child_dims AS d ON d.child_id = f.child_id
WHERE list_contains($la_codes, f.la_code);

INSERT INTO kpi_cube BY NAME
SELECT f.la_code, date_trunc('month', m.event_date) AS month, m.measure, coalesce(f.area_code, 'Unknown') AS area_code,
       f.agency, age_band(f.birth_month, CAST(m.event_date AS DATE)) AS age_band, f.in_care,
       f.missing_label AS missing_type, child_row.* EXCLUDE (la_code, child_id, birth_month), count(*) AS n,
       sum(f.cell_key) AS key_sum
FROM missing_labels AS f
CROSS JOIN LATERAL (
    VALUES ('missing_episodes', f.start_datetime, TRUE),
           ('missing_ended', f.end_datetime, TRUE),
           ('rhi_offered', f.end_datetime, f.rhi_offered_datetime IS NOT NULL),
           ('rhi_72h', f.end_datetime, f.rhi_offered_datetime <= f.end_datetime + INTERVAL 72 HOUR),
           ('rhi_accepted', f.end_datetime, f.rhi_offered_datetime IS NOT NULL AND f.rhi_accepted)
) AS m(measure, event_date, counts)
WHERE m.event_date IS NOT NULL AND m.counts
GROUP BY ALL;

INSERT INTO missing_child_month BY NAME
SELECT f.la_code, date_trunc('month', f.start_datetime) AS month, f.child_id,
       coalesce(f.area_code, 'Unknown') AS area_code, f.agency,
       age_band(f.birth_month, CAST(f.start_datetime AS DATE)) AS age_band, f.in_care,
       f.missing_label AS missing_type, child_row.* EXCLUDE (la_code, child_id, birth_month), count(*) AS episodes,
       record_key($cell_key_salt, f.la_code, f.child_id) AS child_key,
       sum(f.cell_key) AS episode_keys
FROM missing_labels AS f
GROUP BY ALL;
