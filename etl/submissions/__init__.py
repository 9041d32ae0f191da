"""Figures submitted by agencies: templates, manual entry, the tracker's reminders and the commands
(the reading, checking and loading of a file of figures are etl/readers, etl/validate and etl/load)."""
