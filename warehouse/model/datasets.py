"""What the model's files declare of the native extract layouts: datasets, their columns and the
standard layout they share (warehouse/model/builtin/datasets.toml).

Readers, staging, validation, the demo generator and docs/extract-formats.md all read these
declarations, so a column is added or renamed in a model file and nowhere else.
"""

from __future__ import annotations

import csv
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from warehouse.model.specs import Identifier, Label, Spec

# The earliest date a record may hold. Excel counts days from 1900, so a number in a date cell (an
# age of 17.5, a count) reads as a day in the 1900s; no child's record holds a date so early.
EARLIEST_DATE = date(1910, 1, 1)


# The shipped code lists, warehouse/reference/<name>.csv (code, label, aliases), that a code column
# may name.
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"


def code_list_names() -> list[str]:
    return sorted(p.stem for p in REFERENCE_DIR.glob("*.csv"))


def shipped_codes(name: str) -> frozenset[str]:
    """The codes of a shipped code list (warehouse/reference/<name>.csv)."""
    with (REFERENCE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return frozenset(row["code"] for row in csv.DictReader(file))


def agency_groups() -> dict[str, str]:
    """The partner agencies (the agency groups of the referral sources, referral_source.csv) by their
    lower-case name: what a partner account's agencies and a KPI's `agency` are matched against."""
    with (REFERENCE_DIR / "referral_source.csv").open(encoding="utf-8", newline="") as file:
        return {row["agency_group"].lower(): row["agency_group"] for row in csv.DictReader(file)}


# Referral sources' groups that are a person or no one, not an agency of the partnership: a risk is
# not owned, nor an action led, by "Anonymous".
NOT_AGENCIES = ("Anonymous", "Individual", "Unknown")


# The columns that say which LA and window an extract covers, the same on every row.
FILE_COLUMNS = ("la_code", "coverage_start", "coverage_end")


class Kind(StrEnum):
    TEXT = "text"  # kept as text, never interpreted (ids, area codes)
    CHILD_ID = "child_id"  # pseudonymised with a keyed hash in staging
    PERSON_ID = "person_id"  # an adult's or a household's ID: pseudonymised as a child's is
    DATE = "date"
    DATETIME = "datetime"  # a date alone is read as midnight
    CODE = "code"  # normalised against a code list: a shipped one (warehouse/reference) or the column's own
    CODES = (
        "codes"  # several codes of a code list in one cell ("1B;2B;4A"), each normalised; stored ';'-joined
    )
    INTEGER = "integer"
    POSTCODE = "postcode"  # cut to the postcode sector in staging
    FREE_TEXT = "free_text"  # notes, names, narrative: dropped in staging, never stored


class Privacy(StrEnum):
    """What staging does to a column's values before anything is stored."""

    KEPT = "kept"  # stored as read (after casting and normalising)
    KEYED_HASH = "keyed_hash"  # a keyed hash; the original is never stored
    MONTH = "month"  # a date stored as the 1st of its month (dates of birth)
    SECTOR = "sector"  # a postcode stored as its sector (NE4 6)
    NEVER_STORED = "never_stored"  # dropped in staging


# The privacy classes each kind may have, the first its default. A model file cannot keep a child's
# ID, a full postcode or free text: their kinds allow one class each.
PRIVACY_OF_KIND: dict[Kind, tuple[Privacy, ...]] = {
    Kind.CHILD_ID: (Privacy.KEYED_HASH,),
    Kind.PERSON_ID: (Privacy.KEYED_HASH,),
    Kind.POSTCODE: (Privacy.SECTOR,),
    Kind.FREE_TEXT: (Privacy.NEVER_STORED,),
    Kind.DATE: (Privacy.KEPT, Privacy.MONTH),
}


class Code(Spec):
    """One code of a column's own code list, for a partnership's dataset."""

    code: Label
    label: Label
    aliases: tuple[Label, ...] = Field(default=(), description="Other values that mean this code.")


class Column(Spec):
    name: Identifier = Field(description="Its header in the file (any case and spacing is read).")
    kind: Kind = Field(
        description="text, date, datetime, integer, code, codes (several codes in one cell, separated by ';'); "
        "child_id or person_id (an adult's or a household's ID: both stored as a keyed hash), postcode "
        "(stored as its sector) or free_text (read, never stored)."
    )
    required: bool = Field(default=False, description="A row without it is rejected, with the reason.")
    codelist: Identifier | None = Field(
        default=None, description="A shipped code list (warehouse/reference)."
    )
    codes: tuple[Code, ...] = Field(
        default=(),
        description="Or the column's own codes: [{code, label, aliases}]; other values are rejected.",
    )
    privacy: Privacy = Field(
        default=Privacy.KEPT,
        description="What is stored: the kind's first class if not given (a date may be 'month').",
    )
    description: str = Field(min_length=1, description="What it holds, for the extract-format docs.")
    example: str = Field(default="", description="An example value, for the docs and the example files.")

    @model_validator(mode="before")
    @classmethod
    def _default_privacy(cls, data: object) -> object:
        if isinstance(data, dict) and "privacy" not in data and data.get("kind") in set(Kind):
            return data | {"privacy": PRIVACY_OF_KIND.get(Kind(data["kind"]), (Privacy.KEPT,))[0]}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Column:
        allowed = PRIVACY_OF_KIND.get(self.kind, (Privacy.KEPT,))
        if self.privacy not in allowed:
            raise ValueError(f"a {self.kind} column's privacy is {' or '.join(allowed)}, not {self.privacy}")
        coded = self.kind in (Kind.CODE, Kind.CODES)
        if coded and bool(self.codelist) == bool(self.codes):
            raise ValueError(
                "a code column names a shipped `codelist` or declares its own `codes`, one of them"
            )
        if not coded and (self.codelist or self.codes):
            raise ValueError(f"only a code column has a code list, not a {self.kind} column")
        if self.kind is Kind.FREE_TEXT and self.required:
            raise ValueError("free text is never stored, so it cannot be required")
        return self

    @property
    def code_list(self) -> str | tuple[Code, ...]:
        """The codes a value is read against: a shipped list's name, or the column's own codes."""
        return self.codelist or self.codes


class Layout(Spec):
    """Columns that several datasets share, declared once. A dataset of this layout has, in order:
    the file columns, its own id column, the child columns, then its other columns. A layout with no
    child columns is for records about no child (an allegation against an adult, a police incident)."""

    name: Identifier
    file_columns: tuple[Column, ...] = Field(description="Which LA and window the extract covers.")
    child_columns: tuple[Column, ...] = Field(
        default=(), description="The child the record is about; none for records about no child."
    )

    @model_validator(mode="after")
    def _what_loading_needs(self) -> Layout:
        if tuple(c.name for c in self.file_columns) != FILE_COLUMNS:
            raise ValueError(
                f"file_columns must be {', '.join(FILE_COLUMNS)}: a load reads the LA and window from them"
            )
        if self.child_columns and not any(
            c.name == "child_id" and c.kind is Kind.CHILD_ID for c in self.child_columns
        ):
            raise ValueError("child_columns must hold child_id, of kind child_id: records are the child's")
        return self


class DateOrder(Spec):
    """Two dates of a record that must come in order, beyond its start and end: a row with `later`
    before `earlier` is rejected, naming both and the reason."""

    later: Identifier
    earlier: Identifier
    reason: Label | None = Field(
        default=None, description="Why, where the dates alone do not say it: shown in the rejection."
    )


class Dataset(Spec):
    """One native extract layout. In a model file `columns` are the dataset's own; in the model
    (read_model) they are all its columns in the order of the file, its layout's included."""

    name: Identifier = Field(description="Its name in measures, dimensions and loads.")
    kind: Literal["records"] = Field(
        default="records",
        description="records (the default): an extract of records. A dataset of figures submitted by an "
        'agency is kind = "figures": see "Declare figures submitted by agencies".',
    )
    table: Identifier = Field(description="The warehouse table that holds its records.")
    title: Label = Field(description="Its name for people: the Data page, the docs.")
    layout: Identifier = Field(
        description="The standard columns it starts with: child_records, or records_without_child (an adult's "
        "or a household's records: the file columns alone)."
    )
    id_column: Identifier = Field(description="The column that identifies a record (text, required).")
    event_date: Identifier = Field(description="The date that places a record in a load's window.")
    end_date: Identifier | None = Field(default=None, description="The date that closes a record, if any.")
    dates_in_order: tuple[DateOrder, ...] = Field(
        default=(),
        description="Pairs of dates that must come in order besides event_date and end_date: "
        '[{later = "icpc_date", earlier = "start_date"}]. The layout\'s date_of_birth may be one.',
    )
    # Datasets of records that stay open (plans, enquiries, episodes) may carry records
    # that started before the coverage window; flows (contacts, referrals) may not.
    carries_open_records: bool = Field(
        description="true if records may have started before the window (they stay open): plans, assessments."
    )
    columns: tuple[Column, ...] = Field(
        min_length=1, description="Its own columns, in the order of the file."
    )
    own_columns: tuple[str, ...] = Field(default=(), description="Filled in by the model.", exclude=True)
    agency: str | None = Field(
        default=None,
        description="The partner agency that provides the dataset (an agency group, as partner accounts "
        "name them): that agency's partners list its records, and of no other dataset.",
    )
    dimensions: dict[Identifier, Identifier] = Field(
        default_factory=dict,
        description="For a generated dataset (a pack's or your own): the filters its records carry themselves, dimension id -> "
        'its column (agency = "lead_agency"). The child\'s dimensions (age, gender, ethnicity, '
        "disability) and the area come with every dataset.",
    )

    @field_validator("own_columns", mode="before")
    @classmethod
    def _made_by_the_model(cls, value: object) -> object:
        if value:
            raise ValueError("own_columns is filled in by the model, never written")
        return value

    @property
    def has_child(self) -> bool:
        """Whether its records are about a child (its layout's child columns), so carry the child's
        dimensions and can be counted as children."""
        return "child_id" in self.column_names

    @property
    def subject_column(self) -> str | None:
        """The pseudonymised ID of whom a record is about: the child's, else the adult's or the
        household's (its first person_id column: a police incident's household); None if neither."""
        if self.has_child:
            return "child_id"
        return next((c.name for c in self.columns if c.kind is Kind.PERSON_ID), None)

    @property
    def subject_words(self) -> str:
        """Whom a record is about, for a heading: 'Child', 'Household' (household_id), 'Person'."""
        column = self.subject_column or "record"
        return column.removesuffix("_id").replace("_", " ").capitalize()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def order_reason(self, later: str, earlier: str) -> str | None:
        return next((o.reason for o in self.dates_in_order if (o.later, o.earlier) == (later, earlier)), None)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def laid_out(self, layout: Layout) -> Dataset:
        """The dataset with all its columns: the layout's and its own, in the order of the file."""
        own = [c for c in self.columns if c.name != self.id_column]
        ids = [c for c in self.columns if c.name == self.id_column]
        columns = (*layout.file_columns, *ids, *layout.child_columns, *own)
        return self.model_copy(update={"columns": columns, "own_columns": tuple(c.name for c in own)})

    @property
    def fact_columns(self) -> tuple[Column, ...]:
        """What its table stores of each record: the LA, the id, the child, the area, and its own
        columns that are kept (the child's other columns go to the child's record)."""
        wanted = {"la_code", self.id_column, "child_id", "area_code", *self.own_columns}  # those it has
        return tuple(c for c in self.columns if c.name in wanted and c.privacy is not Privacy.NEVER_STORED)
