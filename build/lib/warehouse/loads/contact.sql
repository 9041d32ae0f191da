-- Rows of a staged contacts extract (registered as `incoming`) into the fact table.
INSERT INTO contact
SELECT la_code, contact_id, child_id, area_code, CAST(contact_date AS DATE), source, outcome, $load_id
FROM incoming;
