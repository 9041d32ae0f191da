INSERT INTO s47_enquiry
SELECT la_code, s47_id, child_id, area_code, referral_id, CAST(start_date AS DATE), CAST(end_date AS DATE),
       outcome, CAST(icpc_date AS DATE), icpc_not_required = 'Y', NULL, $load_id
FROM incoming;
