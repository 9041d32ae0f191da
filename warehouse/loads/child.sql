-- One row per child (its latest row in the load's last file that has the child, chosen in
-- etl/pipeline.py) replaces what the warehouse knew of the child. No primary key on child: delete
-- and insert is several times faster than an upsert.
DELETE FROM child WHERE child_id IN (SELECT child_id FROM incoming_children);

INSERT INTO child
SELECT child_id, la_code, CAST(date_of_birth AS DATE), gender, ethnicity,
       CASE disability WHEN 'Y' THEN TRUE WHEN 'N' THEN FALSE END, area_code,
       postcode, load_id
FROM incoming_children;
