-- Areas named in a fact extract but not yet described keep their code as their name.
INSERT INTO area
SELECT DISTINCT incoming.la_code, incoming.area_code, incoming.area_code, $load_id
FROM incoming
LEFT JOIN area ON area.la_code = incoming.la_code AND area.area_code = incoming.area_code
WHERE incoming.area_code IS NOT NULL AND area.area_code IS NULL;
