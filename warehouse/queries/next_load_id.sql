SELECT coalesce(max(load_id), 0) + 1 AS next_load_id FROM etl_load;
