-- Whether synthetic (demo) rows are loaded, and how fresh the data is.
SELECT
    EXISTS (
        SELECT 1 FROM etl_load AS l
        WHERE l.is_synthetic AND l.load_id IN (
            SELECT load_id FROM contact UNION SELECT load_id FROM referral UNION SELECT load_id FROM s47_enquiry
            UNION SELECT load_id FROM cp_plan UNION SELECT load_id FROM missing_episode)
    ) AS has_synthetic,
    (SELECT max(finished_at) FROM etl_load WHERE status IN ('loaded', 'loaded_with_rejections')) AS last_load_at,
    (SELECT max(coverage_end) FROM etl_load WHERE status IN ('loaded', 'loaded_with_rejections')) AS data_as_at,
    (SELECT value FROM meta WHERE key = 'data_version') AS data_version;
