-- The LA $la_code (neighbour_rank 0) and its ten statistical neighbours (DfE 2025 model, rank 1
-- the closest) with their published $kpi_id for $time_period. status is 'missing' when no row
-- was published for that LA and year (for instance an LA that did not exist yet).
WITH member AS (
    SELECT CAST($la_code AS VARCHAR) AS la_code, 0 AS neighbour_rank
    UNION ALL
    SELECT neighbour_la_code, neighbour_rank
    FROM la_statistical_neighbour
    WHERE la_code = $la_code AND model = '2025'
)
SELECT member.la_code, la.la_name, member.neighbour_rank, b.value, coalesce(b.status, 'missing') AS status
FROM member
JOIN local_authority AS la ON la.la_code = member.la_code
LEFT JOIN benchmark_value AS b
       ON b.area_code = member.la_code AND b.kpi_id = $kpi_id AND b.time_period = $time_period
ORDER BY member.neighbour_rank;
