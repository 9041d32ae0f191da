-- Every event that a built-in dataset's KPI measure counts, straight from the facts, with the
-- dimensions the record itself carries: one row per (measure, event). Stock measures (cp_open,
-- cp_open_2yrs) give one row per plan and month end from first_month to last_month. kpi_events
-- (made from the model, warehouse/model/sql.py) adds a partnership's own datasets' events and the
-- child's dimensions; the raw-fact path of the KPI engine counts its rows, and the records page
-- lists them. `scope` is the list of LA codes.
CREATE OR REPLACE MACRO builtin_events(scope, first_month, last_month) AS TABLE
WITH
-- the scope's rows only, before anything is joined or unioned
contact_in AS (SELECT * FROM contact WHERE list_contains(scope, la_code)),
referral_in AS (SELECT * FROM referral WHERE list_contains(scope, la_code)),
s47_in AS (SELECT * FROM s47_enquiry WHERE list_contains(scope, la_code)),
cp_plan_in AS (SELECT * FROM cp_plan WHERE list_contains(scope, la_code)),
missing_in AS (SELECT * FROM missing_episode WHERE list_contains(scope, la_code)),
referral_agency AS (
    SELECT r.la_code, r.referral_id, s.agency_group AS agency
    FROM referral_in AS r JOIN ref_referral_source AS s ON s.code = r.source
),
events AS (
    -- one row per event that a measure counts: its measure, date and dimensions
    SELECT 'contacts' AS measure, f.la_code, f.contact_date AS event_date, f.area_code, s.agency_group AS agency,
           f.child_id, NULL AS category, NULL AS in_care
    FROM contact_in AS f JOIN ref_referral_source AS s ON s.code = f.source
    UNION ALL
    -- KPI contact_conversion: Only contacts whose outcome is recorded count: a contact with a blank outcome
    -- (Annex A List 1 records none) is left out of both the referrals and the contacts they are a % of,
    -- not counted as a contact that led to no referral. A period in which no contact has its outcome
    -- recorded has no value (n/a), never 0%. The cube (warehouse/transforms/020_cubes.sql) counts the same.
    SELECT 'contacts_with_outcome', f.la_code, f.contact_date, f.area_code, s.agency_group, f.child_id, NULL, NULL
    FROM contact_in AS f JOIN ref_referral_source AS s ON s.code = f.source WHERE f.outcome IS NOT NULL
    UNION ALL
    SELECT 'contacts_to_referral', f.la_code, f.contact_date, f.area_code, s.agency_group, f.child_id, NULL, NULL
    FROM contact_in AS f JOIN ref_referral_source AS s ON s.code = f.source WHERE f.outcome = 'REF'
    UNION ALL
    SELECT 'referrals', f.la_code, f.referral_date, f.area_code, s.agency_group, f.child_id, NULL, NULL
    FROM referral_in AS f JOIN ref_referral_source AS s ON s.code = f.source
    UNION ALL
    SELECT 'rereferrals_12m', f.la_code, f.referral_date, f.area_code, s.agency_group, f.child_id, NULL, NULL
    FROM referral_in AS f JOIN ref_referral_source AS s ON s.code = f.source WHERE f.is_rereferral_12m
    UNION ALL
    SELECT 'referrals_nfa', f.la_code, f.referral_date, f.area_code, s.agency_group, f.child_id, NULL, NULL
    FROM referral_in AS f JOIN ref_referral_source AS s ON s.code = f.source WHERE f.is_nfa
    UNION ALL
    SELECT m.measure, f.la_code, m.event_date, f.area_code, coalesce(ra.agency, 'Unknown'), f.child_id, NULL, NULL
    FROM s47_in AS f
    LEFT JOIN referral_agency AS ra ON ra.la_code = f.la_code AND ra.referral_id = f.referral_id,
    LATERAL (SELECT * FROM (VALUES
        ('s47_started', f.start_date, TRUE),
        ('s47_ended', f.end_date, TRUE),
        ('s47_ended_icpc', f.end_date, f.icpc_date IS NOT NULL OR f.outcome = 'ICPC'),
        ('s47_ended_nfa', f.end_date, f.outcome = 'NFA' AND f.icpc_date IS NULL),
        ('icpc', f.icpc_date, TRUE),
        ('icpc_15wd', f.icpc_date, f.icpc_working_days <= 15)) AS v(measure, event_date, counts)
        WHERE v.event_date IS NOT NULL AND v.counts) AS m
    UNION ALL
    SELECT m.measure, f.la_code, m.event_date, f.area_code, coalesce(ra.agency, 'Unknown'), f.child_id,
           f.initial_category, NULL
    FROM cp_plan_in AS f
    LEFT JOIN s47_in AS s ON s.la_code = f.la_code AND s.s47_id = f.s47_id
    LEFT JOIN referral_agency AS ra ON ra.la_code = s.la_code AND ra.referral_id = s.referral_id,
    LATERAL (SELECT * FROM (VALUES
        ('cp_started', f.start_date, TRUE),
        ('cp_started_repeat', f.start_date, f.is_repeat_plan),
        ('cp_ended', f.end_date, TRUE),
        ('cp_ended_2yrs', f.end_date, f.end_date >= f.start_date + INTERVAL 2 YEAR)) AS v(measure, event_date, counts)
        WHERE v.event_date IS NOT NULL AND v.counts) AS m
    UNION ALL
    -- stock: one row per plan and month end at which it was open, dated at the month end
    SELECT m.measure, f.la_code, month_end, f.area_code, coalesce(ra.agency, 'Unknown'), f.child_id,
           f.latest_category, NULL
    FROM cp_plan_in AS f
    LEFT JOIN s47_in AS s ON s.la_code = f.la_code AND s.s47_id = f.s47_id
    LEFT JOIN referral_agency AS ra ON ra.la_code = s.la_code AND ra.referral_id = s.referral_id
    JOIN (SELECT DISTINCT last_day(month_start) AS month_end FROM calendar
          WHERE month_start BETWEEN first_month AND last_month) AS me
      ON f.start_date <= month_end AND (f.end_date IS NULL OR f.end_date > month_end),
    LATERAL (SELECT * FROM (VALUES ('cp_open', TRUE), ('cp_open_2yrs', f.start_date <= month_end - INTERVAL 2 YEAR))
             AS v(measure, counts) WHERE v.counts) AS m
    UNION ALL
    SELECT m.measure, f.la_code, CAST(m.event_date AS DATE), f.area_code, coalesce(a.label, 'Not recorded'), f.child_id,
           NULL, in_care_label(f.is_in_care)
    FROM missing_in AS f
    LEFT JOIN ref_reporting_agency AS a ON a.code = f.reporting_agency,
    LATERAL (SELECT * FROM (VALUES
        ('missing_episodes', f.start_datetime, TRUE),
        ('missing_ended', f.end_datetime, TRUE),
        ('rhi_offered', f.end_datetime, f.rhi_offered_datetime IS NOT NULL),
        ('rhi_72h', f.end_datetime, f.rhi_offered_datetime <= f.end_datetime + INTERVAL 72 HOUR),
        ('rhi_accepted', f.end_datetime, f.rhi_offered_datetime IS NOT NULL AND f.rhi_accepted)) AS v(measure, event_date, counts)
        WHERE v.event_date IS NOT NULL AND v.counts) AS m
)
SELECT e.measure, e.la_code, CAST(e.event_date AS DATE) AS event_date, coalesce(e.area_code, 'Unknown') AS area_code,
       e.agency, e.child_id, e.category, e.in_care
FROM events AS e;
