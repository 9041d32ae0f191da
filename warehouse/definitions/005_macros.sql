-- Shared SQL macros, so each rule is written once. Definitions hold no data: they are made anew
-- whenever a warehouse is built or migrated (warehouse/db.py `define`).

-- A missing episode's care status as the filters and tables show it. NULL is not known (an SSDA903
-- child its episodes file does not cover, migrations/0011): never counted as "Not in care".
CREATE OR REPLACE MACRO in_care_label(is_in_care) AS
    CASE WHEN is_in_care THEN 'In care' WHEN NOT is_in_care THEN 'Not in care' ELSE 'Not known' END;

-- The filters themselves (passes, row_passes), age_band and child_dimensions are made from the
-- model's dimensions (warehouse/model/sql.py), before these; kpi_events, from the model's datasets
-- and builtin_events (045_events.sql), after them.

-- A record's cell key: a keyed hash of the record, uniform on [0, 2^32). The salt is the
-- warehouse's secret (meta cell_key_salt), so nobody outside the server can work a key out; the
-- same record keeps its key in every load (warehouse/kpis/suppression.py says how keys are used).
CREATE OR REPLACE MACRO record_key(salt, la_code, record_id) AS
    CAST(hash(la_code || '|' || record_id || '|' || salt) % 4294967296 AS BIGINT);
