-- One row per child, from the load's last file that has the child (a later file's load_id is
-- higher), replaces what the warehouse knew of the child. No primary key on child: delete and
-- insert is several times faster than an upsert.
DELETE FROM child WHERE child_id IN (SELECT child_id FROM load_children);

INSERT INTO child
SELECT child_id, la_code, date_of_birth, gender, ethnicity,
       CASE disability WHEN 'Y' THEN TRUE WHEN 'N' THEN FALSE END, area_code,
       postcode, load_id
FROM load_children
QUALIFY row_number() OVER (PARTITION BY child_id ORDER BY load_id DESC) = 1;

DROP TABLE load_children;
