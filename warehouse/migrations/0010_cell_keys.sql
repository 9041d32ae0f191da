-- Version 10: cell keys for disclosure control (warehouse/kpis/suppression.py; the record_key
-- macro is in definitions/005_macros.sql). Each cube row carries the sum of its records' keys
-- (key_sum), and a count of missing children the children's keys, so that the key of any total
-- is a sum of rows.
-- The new columns start at 0: the cubes are rebuilt from the facts after every migration.
ALTER TABLE kpi_cube ADD COLUMN key_sum BIGINT DEFAULT 0;
ALTER TABLE kpi_cube_la ADD COLUMN key_sum BIGINT DEFAULT 0;
ALTER TABLE missing_child_month ADD COLUMN child_key BIGINT DEFAULT 0;
ALTER TABLE missing_child_month ADD COLUMN episode_keys BIGINT DEFAULT 0;
ALTER TABLE missing_child_month_la ADD COLUMN child_key BIGINT DEFAULT 0;
ALTER TABLE missing_child_month_la ADD COLUMN episode_keys BIGINT DEFAULT 0;
