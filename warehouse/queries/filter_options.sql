-- Every value each filter can take, for the LAs in $la_codes: one row per (filter, value, label).
-- The dimensions' come from the model (filter_values, warehouse/model/sql.py); dimensions whose
-- values the model lists itself are not here.
SELECT 'la' AS filter, la.la_code AS value, la.la_name AS label, la.la_code AS la_code
FROM local_authority AS la
WHERE list_contains($la_codes::VARCHAR[], la.la_code)
UNION ALL
SELECT dimension, value, label, la_code FROM filter_values($la_codes::VARCHAR[])
ORDER BY 1, 3;
