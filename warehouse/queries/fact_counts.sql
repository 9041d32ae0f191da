-- Rows per fact table for the LAs given, for the data page's overview.
SELECT la.la_code, la.la_name, f.dataset, f.n_rows, f.first_date, f.last_date
FROM (
    SELECT la_code, 'contacts' AS dataset, count(*) AS n_rows, min(contact_date) AS first_date, max(contact_date) AS last_date FROM contact GROUP BY la_code
    UNION ALL SELECT la_code, 'referrals', count(*), min(referral_date), max(referral_date) FROM referral GROUP BY la_code
    UNION ALL SELECT la_code, 's47', count(*), min(start_date), max(start_date) FROM s47_enquiry GROUP BY la_code
    UNION ALL SELECT la_code, 'cp_plans', count(*), min(start_date), max(start_date) FROM cp_plan GROUP BY la_code
    UNION ALL SELECT la_code, 'missing_episodes', count(*), min(CAST(start_datetime AS DATE)), max(CAST(start_datetime AS DATE)) FROM missing_episode GROUP BY la_code
    UNION ALL SELECT la_code, 'assessments', count(*), min(start_date), max(start_date) FROM assessment GROUP BY la_code
    UNION ALL SELECT la_code, 'cla_missing_counts', count(*), min(as_at_date), max(as_at_date) FROM cla_missing_count GROUP BY la_code
) AS f
JOIN local_authority AS la USING (la_code)
WHERE list_contains($la_codes::VARCHAR[], la.la_code)
ORDER BY la.la_name, f.dataset;
