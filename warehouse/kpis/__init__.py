"""KPIs: the registry of national and local definitions, periods, and the engine."""
