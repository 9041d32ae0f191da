"""Component ids, one constant each, so pages and callbacks cannot drift apart."""

OVERVIEW_COUNTS = "overview-counts"
LOADS_GRID = "data-loads-grid"
REJECTIONS_GRID = "data-rejections-grid"
REJECTIONS_TITLE = "data-rejections-title"
