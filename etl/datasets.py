"""The native extract template: one CSV layout per dataset, declared once.

Readers, staging, validation, the demo generator and `docs/extract-formats.md` all read
these declarations, so a column is added or renamed here and nowhere else.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

# The earliest date a record may hold. Excel counts days from 1900, so a number in a date cell (an
# age of 17.5, a count) reads as a day in the 1900s; no child's record holds a date so early.
EARLIEST_DATE = date(1910, 1, 1)


class Kind(StrEnum):
    TEXT = "text"  # kept as text, never interpreted (ids, area codes)
    CHILD_ID = "child_id"  # pseudonymised with a keyed hash in staging
    DATE = "date"
    DATETIME = "datetime"  # a date alone is read as midnight
    CODE = "code"  # normalised against a code list in warehouse/reference
    INTEGER = "integer"
    POSTCODE = "postcode"  # cut to the postcode sector in staging


class Column(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: Kind
    required: bool = False
    codelist: str | None = None
    description: str
    example: str = ""

    @property
    def codes(self) -> str:
        """The name of the code list of a coded column."""
        if self.codelist is None:
            raise ValueError(f"the column {self.name} has no code list")
        return self.codelist


class Dataset(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    table: str
    title: str
    id_column: str
    event_date: str
    end_date: str | None = None
    # Datasets of records that stay open (plans, enquiries, episodes) may carry records
    # that started before the coverage window; flows (contacts, referrals) may not.
    carries_open_records: bool
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _common(id_column: str, id_description: str, id_example: str) -> tuple[Column, ...]:
    """Columns that every native extract carries, in this order."""
    return (
        Column(
            name="la_code",
            kind=Kind.TEXT,
            required=True,
            description="New (9-character) DfE/ONS code of the local authority, the same on every row.",
            example="E08000021",
        ),
        Column(
            name="coverage_start",
            kind=Kind.DATE,
            required=True,
            description="First day of the window this extract covers, the same on every row.",
            example="2024-04-01",
        ),
        Column(
            name="coverage_end",
            kind=Kind.DATE,
            required=True,
            description="Last day of the window this extract covers, the same on every row. "
            "Loading the extract replaces what the warehouse held for this LA and window.",
            example="2025-03-31",
        ),
        Column(name=id_column, kind=Kind.TEXT, required=True, description=id_description, example=id_example),
        Column(
            name="child_id",
            kind=Kind.CHILD_ID,
            required=True,
            description="The child's ID in the case management system. Replaced by a keyed hash "
            "before it reaches the warehouse; the original is never stored.",
            example="LCS0012345",
        ),
        Column(
            name="date_of_birth",
            kind=Kind.DATE,
            description="Date of birth; blank for an unborn child. Stored as the 1st of its month.",
            example="2014-07-19",
        ),
        Column(
            name="gender",
            kind=Kind.CODE,
            codelist="gender",
            description="Gender: M, F, U (not known or not recorded) or N (neither); "
            "CIN census codes 1, 2, 0 and 9 are accepted.",
            example="F",
        ),
        Column(
            name="ethnicity",
            kind=Kind.CODE,
            codelist="ethnicity",
            description="DfE ethnicity code (WBRI, MWBC, ABAN, ...).",
            example="WBRI",
        ),
        Column(
            name="disability",
            kind=Kind.CODE,
            codelist="disability",
            description="Y if the child has a recorded disability, N if not, U if it is not known "
            "(stored as not known, like a blank).",
            example="N",
        ),
        Column(
            name="area_code",
            kind=Kind.TEXT,
            description="Locality or ward code, as listed in the areas extract.",
            example="NCL-E",
        ),
        Column(
            name="postcode",
            kind=Kind.POSTCODE,
            description="Home postcode. Only its sector (for example NE4 6) is stored.",
            example="NE4 6SU",
        ),
    )


CONTACTS = Dataset(
    name="contacts",
    table="contact",
    title="Contacts",
    id_column="contact_id",
    event_date="contact_date",
    carries_open_records=False,
    columns=_common("contact_id", "Unique ID of the contact.", "CT000101")
    + (
        Column(
            name="contact_date",
            kind=Kind.DATE,
            required=True,
            description="Date the contact was received.",
            example="2024-06-03",
        ),
        Column(
            name="source",
            kind=Kind.CODE,
            required=True,
            codelist="referral_source",
            description="Who made the contact, as a CIN referral source code (1A ... 10).",
            example="6",
        ),
        Column(
            name="outcome",
            kind=Kind.CODE,
            codelist="contact_outcome",
            description="What the contact led to: REF (referral to children's social care), EH, IA, NFA, OTH. "
            "Blank when the source does not record it (Annex A List 1 does not): such contacts are left "
            "out of the conversion rate rather than counted as not converted.",
            example="REF",
        ),
    ),
)

REFERRALS = Dataset(
    name="referrals",
    table="referral",
    title="Referrals",
    id_column="referral_id",
    event_date="referral_date",
    carries_open_records=False,
    columns=_common("referral_id", "Unique ID of the referral.", "RF000101")
    + (
        Column(
            name="referral_date",
            kind=Kind.DATE,
            required=True,
            description="Date the referral was received by children's social care.",
            example="2024-06-04",
        ),
        Column(
            name="source",
            kind=Kind.CODE,
            required=True,
            codelist="referral_source",
            description="CIN referral source code (1A ... 10).",
            example="6",
        ),
        Column(
            name="is_nfa",
            kind=Kind.CODE,
            required=True,
            codelist="yes_no",
            description="Y if the referral resulted in no further action.",
            example="N",
        ),
        Column(
            name="contact_id",
            kind=Kind.TEXT,
            description="The contact this referral came from, if recorded.",
            example="CT000101",
        ),
    ),
)

S47_ENQUIRIES = Dataset(
    name="s47",
    table="s47_enquiry",
    title="Section 47 enquiries and ICPCs",
    id_column="s47_id",
    event_date="start_date",
    end_date="end_date",
    carries_open_records=True,
    columns=_common("s47_id", "Unique ID of the section 47 enquiry.", "S47000101")
    + (
        Column(
            name="referral_id",
            kind=Kind.TEXT,
            description="The referral that led to the enquiry, if recorded.",
            example="RF000101",
        ),
        Column(
            name="start_date",
            kind=Kind.DATE,
            required=True,
            description="Date the enquiry started (the strategy discussion).",
            example="2024-06-05",
        ),
        Column(
            name="end_date",
            kind=Kind.DATE,
            description="Date the enquiry ended; blank while it is open.",
            example="2024-06-20",
        ),
        Column(
            name="outcome",
            kind=Kind.CODE,
            codelist="s47_outcome",
            description="ICPC, CIN (continue as child in need) or NFA; blank while open.",
            example="ICPC",
        ),
        Column(
            name="icpc_date",
            kind=Kind.DATE,
            description="Date of the initial child protection conference, if one was held.",
            example="2024-06-24",
        ),
        Column(
            name="icpc_not_required",
            kind=Kind.CODE,
            codelist="yes_no",
            description="Y if an ICPC was found not to be required (for example the child moved away).",
            example="N",
        ),
    ),
)

CP_PLANS = Dataset(
    name="cp_plans",
    table="cp_plan",
    title="Child protection plans",
    id_column="cp_plan_id",
    event_date="start_date",
    end_date="end_date",
    carries_open_records=True,
    columns=_common("cp_plan_id", "Unique ID of the child protection plan.", "CP000101")
    + (
        Column(
            name="s47_id",
            kind=Kind.TEXT,
            description="The section 47 enquiry whose ICPC started the plan, if recorded.",
            example="S47000101",
        ),
        Column(
            name="start_date",
            kind=Kind.DATE,
            required=True,
            description="Date the plan started (the ICPC date).",
            example="2024-06-24",
        ),
        Column(
            name="end_date",
            kind=Kind.DATE,
            description="Date the plan ended; blank while it is open.",
            example="2025-01-15",
        ),
        Column(
            name="initial_category",
            kind=Kind.CODE,
            required=True,
            codelist="abuse_category",
            description="Initial category of abuse: NEG, EMO, PHY, SAB or MUL.",
            example="NEG",
        ),
        Column(
            name="latest_category",
            kind=Kind.CODE,
            codelist="abuse_category",
            description="Latest category of abuse; blank means unchanged from the initial one.",
            example="NEG",
        ),
        Column(
            name="previous_plans",
            kind=Kind.INTEGER,
            description="Number of earlier CP plans the child has had, at any time and in any LA.",
            example="0",
        ),
    ),
)

MISSING_EPISODES = Dataset(
    name="missing_episodes",
    table="missing_episode",
    title="Missing episodes",
    id_column="episode_id",
    event_date="start_datetime",
    end_date="end_datetime",
    carries_open_records=True,
    columns=_common("episode_id", "Unique ID of the missing or away episode.", "MS000101")
    + (
        Column(
            name="start_datetime",
            kind=Kind.DATETIME,
            required=True,
            description="When the child went missing (date and time; a date alone means midnight).",
            example="2024-06-07 21:30",
        ),
        Column(
            name="end_datetime",
            kind=Kind.DATETIME,
            description="When the child returned; blank while still missing.",
            example="2024-06-08 10:15",
        ),
        Column(
            name="missing_type",
            kind=Kind.CODE,
            required=True,
            codelist="missing_type",
            description="M (missing) or A (away from placement without authorisation).",
            example="M",
        ),
        Column(
            name="in_care",
            kind=Kind.CODE,
            required=True,
            codelist="in_care",
            description="Y if the child was looked after when the episode started, N if not, U if not known.",
            example="Y",
        ),
        Column(
            name="rhi_offered_datetime",
            kind=Kind.DATETIME,
            description="When a return home interview was offered; blank if none was offered.",
            example="2024-06-09 14:00",
        ),
        Column(
            name="rhi_accepted",
            kind=Kind.CODE,
            codelist="yes_no",
            description="Y if the return home interview was accepted, N if declined.",
            example="Y",
        ),
        Column(
            name="reporting_agency",
            kind=Kind.CODE,
            codelist="reporting_agency",
            description="Who reported the episode: POL, CAR, PAR, SCH, HEA or OTH.",
            example="CAR",
        ),
    ),
)

ASSESSMENTS = Dataset(
    name="assessments",
    table="assessment",
    title="Assessments",
    id_column="assessment_id",
    event_date="start_date",
    end_date="authorised_date",
    carries_open_records=True,
    columns=_common("assessment_id", "Unique ID of the children and families assessment.", "AS000101")
    + (
        Column(
            name="referral_id",
            kind=Kind.TEXT,
            description="The referral the assessment followed, if recorded.",
            example="RF000101",
        ),
        Column(
            name="start_date",
            kind=Kind.DATE,
            required=True,
            description="Date the assessment started.",
            example="2024-06-05",
        ),
        Column(
            name="authorised_date",
            kind=Kind.DATE,
            description="Date the assessment was completed and authorised; blank while it is open.",
            example="2024-07-10",
        ),
    ),
)

CLA_MISSING_COUNTS = Dataset(
    name="cla_missing_counts",
    table="cla_missing_count",
    title="Missing and away counts of children in care",
    id_column="count_id",
    event_date="as_at_date",
    carries_open_records=False,
    columns=_common("count_id", "Unique ID of the child's row in the return.", "MC000101")
    + (
        Column(
            name="as_at_date",
            kind=Kind.DATE,
            required=True,
            description="The date the counts run up to: they cover the 12 months before it.",
            example="2025-03-31",
        ),
        Column(
            name="missing_episodes",
            kind=Kind.INTEGER,
            description="Episodes the child was missing from their placement in the 12 months.",
            example="2",
        ),
        Column(
            name="away_episodes",
            kind=Kind.INTEGER,
            description="Episodes the child was away from their placement without authorisation in the 12 months.",
            example="0",
        ),
        Column(
            name="rhi_offered",
            kind=Kind.CODE,
            codelist="yes_no",
            description="Y if a return interview was offered after the last missing episode.",
            example="Y",
        ),
        Column(
            name="rhi_accepted",
            kind=Kind.CODE,
            codelist="yes_no",
            description="Y if the return interview after the last missing episode was accepted.",
            example="N",
        ),
    ),
)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (CONTACTS, REFERRALS, S47_ENQUIRIES, CP_PLANS, MISSING_EPISODES, ASSESSMENTS, CLA_MISSING_COUNTS)
}


def dataset_title(name: str | None) -> str:
    """A dataset's title for people, from its one declaration; the areas file and unknown names as given."""
    if name in DATASETS:
        return DATASETS[name].title
    return "Areas" if name == "areas" else (name or "")
