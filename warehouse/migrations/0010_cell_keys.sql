-- Version 10: cell keys for disclosure control (warehouse/kpis/suppression.py).
-- A record's cell key is a keyed hash of the record, uniform on [0, 2^32). The salt is derived
-- from the pseudonymisation key, so nobody outside the server can work a key out; the same record
-- keeps its key in every load. Each cube row carries the sum of its records' keys (key_sum), and a
-- count of missing children the children's keys, so that the key of any total is a sum of rows.
-- The new columns start at 0: the cubes are rebuilt from the facts after every migration.
CREATE OR REPLACE MACRO record_key(salt, la_code, record_id) AS
    CAST(hash(la_code || '|' || record_id || '|' || salt) % 4294967296 AS BIGINT);

ALTER TABLE kpi_cube ADD COLUMN key_sum BIGINT DEFAULT 0;
ALTER TABLE kpi_cube_la ADD COLUMN key_sum BIGINT DEFAULT 0;
ALTER TABLE missing_child_month ADD COLUMN child_key BIGINT DEFAULT 0;
ALTER TABLE missing_child_month ADD COLUMN episode_keys BIGINT DEFAULT 0;
ALTER TABLE missing_child_month_la ADD COLUMN child_key BIGINT DEFAULT 0;
ALTER TABLE missing_child_month_la ADD COLUMN episode_keys BIGINT DEFAULT 0;
