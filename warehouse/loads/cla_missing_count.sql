-- Rows of a staged missing and away counts extract (registered as `incoming`) into the fact table.
INSERT INTO cla_missing_count
SELECT la_code, count_id, child_id, area_code, CAST(as_at_date AS DATE), CAST(missing_episodes AS INTEGER),
       CAST(away_episodes AS INTEGER), rhi_offered = 'Y', rhi_accepted = 'Y', $load_id
FROM incoming;
