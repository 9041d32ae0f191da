-- The latest row of the extract for each child sets the child's attributes.
INSERT OR REPLACE INTO child
SELECT child_id, la_code, CAST(date_of_birth AS DATE), gender, ethnicity, disability = 'Y', area_code,
       postcode, $load_id
FROM (
    SELECT *, row_number() OVER (PARTITION BY child_id ORDER BY _position DESC) AS latest
    FROM incoming
)
WHERE latest = 1;
