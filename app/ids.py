"""Component ids, one constant each, so pages and callbacks cannot drift apart."""

URL = "url"
OVERVIEW_COUNTS = "overview-counts"
LOADS_GRID = "data-loads-grid"
REJECTIONS_GRID = "data-rejections-grid"
REJECTIONS_TITLE = "data-rejections-title"

FILTER_BAR = "filter-bar"
FILTER_PERIOD_KIND = "filter-period-kind"
FILTER_PERIOD = "filter-period"
FILTER_RESET = "filter-reset"
FILTER_SUMMARY = "filter-summary"
# one multi-select per dimension, keyed by its URL parameter
FILTER_DIMENSIONS = {
    "la": "filter-la",
    "area": "filter-area",
    "agency": "filter-agency",
    "age": "filter-age",
    "gender": "filter-gender",
    "ethnicity": "filter-ethnicity",
    "category": "filter-category",
    "care": "filter-care",
}

EXECUTIVE_CARDS = "executive-cards"

BENCH_KPI = "benchmarks-kpi"
BENCH_YEAR = "benchmarks-year"
BENCH_CHART = "benchmarks-neighbours-chart"
BENCH_GRID = "benchmarks-years-grid"

PACK_SECTIONS = "pack-sections"
PACK_PDF = "pack-pdf"

LOADS_EXPORT = "data-loads-export"
REJECTIONS_EXPORT = "data-rejections-export"
DATA_DOWNLOAD = "data-download"

RECORDS_GRID = "records-grid"
RECORDS_EXPORT = "records-export"
RECORDS_DOWNLOAD = "records-download"
