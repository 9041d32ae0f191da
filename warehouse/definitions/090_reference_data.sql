-- Fills the reference dimensions from the frames warehouse/db.py registers:
-- raw_ons_population, raw_sn_model_2025, raw_calendar and raw_ref_<code list>. Run whenever the
-- shipped reference data changes, so each table is emptied first.

DELETE FROM local_authority;
DELETE FROM population;
DELETE FROM la_statistical_neighbour;
DELETE FROM calendar;
DELETE FROM ref_referral_source;
DELETE FROM ref_abuse_category;
DELETE FROM ref_gender;
DELETE FROM ref_ethnicity;
DELETE FROM ref_contact_outcome;
DELETE FROM ref_s47_outcome;
DELETE FROM ref_missing_type;
DELETE FROM ref_reporting_agency;

INSERT INTO local_authority
SELECT new_la_code, old_la_code, la_name, region_code, region_name,
       time_period = (SELECT max(time_period) FROM raw_ons_population)
FROM (
    SELECT new_la_code, old_la_code, la_name, region_code, region_name, time_period,
           row_number() OVER (PARTITION BY new_la_code ORDER BY time_period DESC) AS newest
    FROM raw_ons_population
    WHERE geographic_level = 'Local authority'
)
WHERE newest = 1;

INSERT INTO population
SELECT coalesce(new_la_code, CASE geographic_level WHEN 'National' THEN country_code ELSE region_code END),
       time_period, '0-17', population_estimate
FROM raw_ons_population
WHERE population_estimate IS NOT NULL;

INSERT INTO la_statistical_neighbour
SELECT la.la_code, neighbour.la_code, sn.neighbour_rank, trim(sn.closeness), '2025'
FROM raw_sn_model_2025 AS sn
JOIN local_authority AS la ON la.old_la_code = sn.old_la_code AND la.is_current
JOIN local_authority AS neighbour ON neighbour.old_la_code = sn.neighbour_old_la_code AND neighbour.is_current;

INSERT INTO calendar SELECT * FROM raw_calendar;

INSERT INTO ref_referral_source SELECT code, label, agency_group FROM raw_ref_referral_source;
INSERT INTO ref_abuse_category SELECT code, label FROM raw_ref_abuse_category;
INSERT INTO ref_gender SELECT code, label FROM raw_ref_gender;
INSERT INTO ref_ethnicity SELECT code, label, major_group FROM raw_ref_ethnicity;
INSERT INTO ref_contact_outcome SELECT code, label FROM raw_ref_contact_outcome;
INSERT INTO ref_s47_outcome SELECT code, label FROM raw_ref_s47_outcome;
INSERT INTO ref_missing_type SELECT code, label FROM raw_ref_missing_type;
INSERT INTO ref_reporting_agency SELECT code, label FROM raw_ref_reporting_agency;
