-- One row per LA of $la_codes (every LA when NULL: a read-only warehouse holds them all from one
-- read), published measure ($kpi_id, or every measure when NULL: a page's benchmarks in one read)
-- and year: the LA's value beside England, its region and its ten statistical neighbours (DfE 2025
-- model, used for every year).
-- The neighbour figure is the mean of the neighbours' published values, as ChAT and LAIT do;
-- their lowest and highest published values give the range the exception report checks against.
-- la_rank: 1 = the highest value among the LA and its neighbours that have one (ties share a
-- rank); the caller knows from the KPI direction whether high is good. Unpublished values
-- (NULL) are neither averaged nor ranked. A status is 'missing' when no row was published.
WITH kpi AS (
    SELECT kpi_id, time_period, financial_year, area_code, value, status
    FROM benchmark_value
    WHERE $kpi_id IS NULL OR kpi_id = $kpi_id
),
las AS (
    SELECT la_code FROM (SELECT unnest($la_codes::VARCHAR[]) AS la_code) WHERE $la_codes IS NOT NULL
    UNION
    SELECT la_code FROM local_authority WHERE $la_codes IS NULL
),
neighbour AS (
    SELECT la_code, neighbour_la_code
    FROM la_statistical_neighbour
    WHERE model = '2025' AND la_code IN (SELECT la_code FROM las)
),
years AS (
    SELECT DISTINCT kpi_id, time_period, financial_year FROM kpi
),
neighbour_summary AS (
    -- rounded: a parallel sum adds in any order, and the last bit of its mean would vary run to run
    SELECT neighbour.la_code, kpi.kpi_id, kpi.time_period, round(avg(kpi.value), 6) AS neighbour_mean,
           count(kpi.value) AS neighbours_published, min(kpi.value) AS neighbour_min, max(kpi.value) AS neighbour_max
    FROM kpi JOIN neighbour ON neighbour.neighbour_la_code = kpi.area_code
    GROUP BY neighbour.la_code, kpi.kpi_id, kpi.time_period
),
peer_group AS (  -- each LA's group: itself and its neighbours
    SELECT la_code, la_code AS member FROM las
    UNION
    SELECT la_code, neighbour_la_code FROM neighbour
),
ranked AS (
    SELECT peer_group.la_code, kpi.kpi_id, kpi.time_period, kpi.area_code,
           rank() OVER (PARTITION BY peer_group.la_code, kpi.kpi_id, kpi.time_period ORDER BY kpi.value DESC) AS value_rank,
           count(*) OVER (PARTITION BY peer_group.la_code, kpi.kpi_id, kpi.time_period) AS group_size
    FROM kpi JOIN peer_group ON peer_group.member = kpi.area_code
    WHERE kpi.value IS NOT NULL
)
SELECT
    las.la_code,
    years.kpi_id,
    years.time_period,
    years.financial_year,
    la.value                              AS la_value,
    coalesce(la.status, 'missing')        AS la_status,
    england.value                         AS england_value,
    coalesce(england.status, 'missing')   AS england_status,
    region.value                          AS region_value,
    coalesce(region.status, 'missing')    AS region_status,
    neighbour_summary.neighbour_mean,
    coalesce(neighbour_summary.neighbours_published, 0) AS neighbours_published,
    neighbour_summary.neighbour_min,
    neighbour_summary.neighbour_max,
    la_rank.value_rank                    AS la_rank,
    coalesce(group_size.group_size, 0)    AS group_size
FROM las
CROSS JOIN years
LEFT JOIN local_authority ON local_authority.la_code = las.la_code
LEFT JOIN kpi AS la ON la.kpi_id = years.kpi_id AND la.time_period = years.time_period AND la.area_code = las.la_code
LEFT JOIN kpi AS england ON england.kpi_id = years.kpi_id AND england.time_period = years.time_period AND england.area_code = 'E92000001'
LEFT JOIN kpi AS region ON region.kpi_id = years.kpi_id AND region.time_period = years.time_period
      AND region.area_code = local_authority.region_code
LEFT JOIN neighbour_summary ON neighbour_summary.la_code = las.la_code
      AND neighbour_summary.kpi_id = years.kpi_id AND neighbour_summary.time_period = years.time_period
LEFT JOIN ranked AS la_rank ON la_rank.la_code = las.la_code AND la_rank.kpi_id = years.kpi_id
      AND la_rank.time_period = years.time_period AND la_rank.area_code = las.la_code
LEFT JOIN (SELECT DISTINCT la_code, kpi_id, time_period, group_size FROM ranked) AS group_size
       ON group_size.la_code = las.la_code AND group_size.kpi_id = years.kpi_id AND group_size.time_period = years.time_period
ORDER BY las.la_code, years.kpi_id, years.time_period;
