INSERT INTO missing_episode
SELECT la_code, episode_id, child_id, area_code, start_datetime, end_datetime, missing_type,
       CASE in_care WHEN 'Y' THEN TRUE WHEN 'N' THEN FALSE END,  -- U (not known): NULL
       rhi_offered_datetime, rhi_accepted = 'Y', reporting_agency, $load_id
FROM incoming;
