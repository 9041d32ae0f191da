"""Component ids, one constant each, so pages and callbacks cannot drift apart."""

from warehouse.model.files import active_model

URL = "url"
OVERVIEW_COUNTS = "overview-counts"
LOADS_GRID = "data-loads-grid"
REJECTIONS_GRID = "data-rejections-grid"
REJECTIONS_TITLE = "data-rejections-title"

NAV_LINK = "nav-link"  # one per page in the navigation: {"type": NAV_LINK, "path": its path}
FILTER_BAR = "filter-bar"
FILTER_PERIOD_KIND = "filter-period-kind"
FILTER_PERIOD = "filter-period"
FILTER_RESET = "filter-reset"
FILTER_SUMMARY = "filter-summary"
FILTER_DETAILS = "filter-details"  # the folded-away controls under the summary line
# one multi-select per dimension, keyed by its URL parameter
# The LA, then one control per dimension of the model, by its URL key.
FILTER_DIMENSIONS = {"la": "filter-la"} | {
    d.url_key: f"filter-{d.url_key}" for d in active_model().dimensions
}

EXECUTIVE_CARDS = "executive-cards"
PRESENTATION = "presentation"  # app/assets/presentation.js steps through its slides
PRESENTATION_SLIDES = "presentation-slides"
PRESENTATION_PREVIOUS = "presentation-previous"
PRESENTATION_NEXT = "presentation-next"
PRESENTATION_POSITION = "presentation-position"
SPC_LIMITS_FROM = "spc-limits-from"

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

# commentary, targets, challenge log and saved views
COMMENTARY_TEXT = "commentary-text"
COMMENTARY_DRAFT = "commentary-draft"
COMMENTARY_DRAFT_NOTE = "commentary-draft-note"
COMMENTARY_USE_DRAFT = "commentary-use-draft"
COMMENTARY_SAVE = "commentary-save"
COMMENTARY_STATUS = "commentary-status"
COMMENTARY_HISTORY = "commentary-history"
TARGET_KPI = "target-kpi"
TARGET_LA = "target-la"
TARGET_FROM = "target-from"
TARGET_VALUE = "target-value"
TARGET_TOLERANCE = "target-tolerance"
TARGET_SAVE = "target-save"
TARGET_STATUS = "target-status"
TARGETS_GRID = "targets-grid"
CHALLENGE_LA = "challenge-la"
CHALLENGE_KPI = "challenge-kpi"
CHALLENGE_AGENCY = "challenge-agency"
CHALLENGE_QUESTION = "challenge-question"
CHALLENGE_OWNER = "challenge-owner"
CHALLENGE_DUE = "challenge-due"
CHALLENGE_RAISE = "challenge-raise"
CHALLENGE_STATUS_MESSAGE = "challenge-status-message"
CHALLENGE_FILTER_STATUS = "challenge-filter-status"
CHALLENGE_FILTER_OVERDUE = "challenge-filter-overdue"
CHALLENGES_GRID = "challenges-grid"
CHALLENGE_SELECTED = "challenge-selected"
CHALLENGE_RESPONSE = "challenge-response"
CHALLENGE_ANSWER = "challenge-answer"
CHALLENGE_CLOSE = "challenge-close"
CHALLENGES_EXPORT = "challenges-export"
CHALLENGES_DOWNLOAD = "challenges-download"
ACTION_LA = "action-la"
ACTION_TITLE = "action-title"
ACTION_SOURCE = "action-source"
ACTION_SOURCE_REF = "action-source-ref"
ACTION_AGENCY = "action-agency"
ACTION_LEAD = "action-lead"
ACTION_DUE = "action-due"
ACTION_MEASURE = "action-measure"
ACTION_KPIS = "action-kpis"
ACTION_ADD = "action-add"
ACTION_STATUS_MESSAGE = "action-status-message"
ACTIONS_VIEW = "actions-view"
ACTIONS_FILTER_STATUS = "actions-filter-status"
ACTIONS_FILTER_KPI = "actions-filter-kpi"
ACTIONS_LIST = "actions-list"
ACTIONS_GRID = "actions-grid"
ACTION_SELECTED = "action-selected"
ACTION_FORM = "action-form"
ACTION_PROGRESS = "action-progress"
ACTION_NOTE = "action-note"
ACTION_RECORD = "action-record"
ACTION_COMPLETE = "action-complete"
ACTION_DROP = "action-drop"
ACTIONS_CSV = "actions-csv"
ACTIONS_XLSX = "actions-xlsx"
ACTIONS_DOWNLOAD = "actions-download"
SAVED_VIEW_OPEN = "saved-view-open"
SAVED_VIEW_NAME = "saved-view-name"
SAVED_VIEW_SHARED = "saved-view-shared"
SAVED_VIEW_SAVE = "saved-view-save"
SAVED_VIEW_STATUS = "saved-view-status"

# scorecard
SCORECARD = "scorecard"
SCORECARD_XLSX = "scorecard-xlsx"
SCORECARD_PDF = "scorecard-pdf"

# exception report
EXCEPTIONS_PDF = "exceptions-pdf"
EXCEPTIONS_MARKDOWN = "exceptions-markdown"
EXCEPTIONS_SUMMARY = "exceptions-summary"
EXCEPTIONS_LIST = "exceptions-list"
EXCEPTIONS_CHOOSE_LA = "exceptions-choose-la"

# audit
AUDIT_ACTIONS = "audit-actions"
AUDIT_EXPORT = "audit-export"
AUDIT_DOWNLOAD = "audit-download"
AUDIT_GRID = "audit-grid"
ACCOUNTS_GRID = "accounts-grid"

# operations
FAILED_LOADS = "failed-loads"
FAILED_LOADS_GRID = "failed-loads-grid"
