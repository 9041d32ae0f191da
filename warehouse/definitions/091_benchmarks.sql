-- Fills benchmark_value from the frame warehouse/db.py registers as raw_benchmark_value, afresh.
DELETE FROM benchmark_value;

INSERT INTO benchmark_value
SELECT kpi_id, time_period, financial_year, geographic_level, area_code, area_name, old_la_code,
       value, status, source
FROM raw_benchmark_value;
