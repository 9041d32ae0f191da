-- The region an LA is in, by name, for sentences that compare the LA with its region.
SELECT region_name
FROM local_authority
WHERE la_code = $la_code;
