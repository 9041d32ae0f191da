-- Every value each filter can take, for the LAs in $la_codes: one row per (filter, value, label).
SELECT 'la' AS filter, la.la_code AS value, la.la_name AS label, la.la_code AS la_code
FROM local_authority AS la
WHERE list_contains($la_codes::VARCHAR[], la.la_code)
UNION ALL
SELECT 'area', area_code, area_name, la_code FROM area WHERE list_contains($la_codes::VARCHAR[], la_code)
UNION ALL
SELECT DISTINCT 'agency', agency_group, agency_group, NULL FROM ref_referral_source
UNION ALL
SELECT DISTINCT 'ethnicity', major_group, major_group, NULL FROM ref_ethnicity
UNION ALL
SELECT 'gender', code, label, NULL FROM ref_gender
UNION ALL
SELECT 'category', code, label, NULL FROM ref_abuse_category
ORDER BY 1, 3;
