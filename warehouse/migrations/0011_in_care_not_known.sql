-- Version 11: a missing episode's care status may be not known. The SSDA903 reader no longer
-- counts a child its episodes file does not cover as "not in care" (etl/readers/ssda903.py), so
-- is_in_care may be NULL, shown as "Not known" wherever care status is a dimension (the
-- in_care_label macro, definitions/005_macros.sql).
ALTER TABLE missing_episode ALTER COLUMN is_in_care DROP NOT NULL;
