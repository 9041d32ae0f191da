-- benchmark_comparison.sql for every LA, as the warehouse keeps it (warehouse/benchmarks.py
-- make_every_la_comparisons), in the query's order.
SELECT * FROM benchmark_comparison_every_la ORDER BY la_code, kpi_id, time_period;
