-- Version 16: the factors identified at the end of an assessment (the CIN census's
-- FactorsIdentifiedAtAssessment, or a native extract's `factors` column), as DfE factor codes joined
-- by ';' ("3B;4B;16A"), which the factors-at-assessment KPIs count (warehouse/model/builtin/published.toml).
-- Assessments loaded before have none recorded: NULL, which no factor KPI counts, and every row is kept.
ALTER TABLE assessment ADD COLUMN IF NOT EXISTS factors VARCHAR;
