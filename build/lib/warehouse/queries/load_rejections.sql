SELECT load_id, file_name, row_number, field, value, rule, message
FROM etl_rejection
WHERE load_id = $load_id
ORDER BY row_number, field;
