-- A file's last row for each child (chosen in etl/pipeline.py), kept with the file's load.
INSERT INTO load_children
SELECT child_id, la_code, CAST(date_of_birth AS DATE), gender, ethnicity, disability, area_code, postcode, $load_id
FROM incoming_children;
