-- Rows of a staged assessments extract (registered as `incoming`) into the fact table.
INSERT INTO assessment
SELECT la_code, assessment_id, child_id, area_code, referral_id, CAST(start_date AS DATE),
       CAST(authorised_date AS DATE), $load_id, factors
FROM incoming;
