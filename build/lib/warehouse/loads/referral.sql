INSERT INTO referral
SELECT la_code, referral_id, child_id, area_code, CAST(referral_date AS DATE), source, is_nfa = 'Y',
       contact_id, NULL, $load_id
FROM incoming;
