-- Every LA's monthly totals of the measures, to hold in memory (warehouse/kpis/resident.py).
SELECT measure, la_code, month, n, key_sum
FROM kpi_cube_la
WHERE list_contains($measures::VARCHAR[], measure);
