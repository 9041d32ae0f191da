-- Whether the connection is read-only: only then may what it reads be kept (warehouse/kpis/resident.py).
SELECT current_setting('access_mode') AS access_mode;
