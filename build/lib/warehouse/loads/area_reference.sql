-- An areas reference extract replaces the names of its LA's areas.
INSERT OR REPLACE INTO area
SELECT la_code, area_code, area_name, $load_id FROM incoming;
