-- The latest row of the extract for each child sets the child's attributes.
-- (No primary key on child: a delete and insert is several times faster than an upsert.)
DELETE FROM child WHERE child_id IN (SELECT child_id FROM incoming);

INSERT INTO child
SELECT child_id,
       arg_max(la_code, _position),
       arg_max(CAST(date_of_birth AS DATE), _position),
       arg_max(gender, _position),
       arg_max(ethnicity, _position),
       arg_max(disability, _position) = 'Y',
       arg_max(area_code, _position),
       arg_max(postcode, _position),
       $load_id
FROM incoming
GROUP BY child_id;
