-- Records per dataset for the LAs given, for the data page's overview: every dataset of the model,
-- a partnership's own included (fact_counts, warehouse/model/sql.py).
SELECT la.la_code, la.la_name, f.dataset, f.n_rows, f.first_date, f.last_date
FROM fact_counts($la_codes::VARCHAR[]) AS f
JOIN local_authority AS la USING (la_code)
ORDER BY la.la_name, f.dataset;
