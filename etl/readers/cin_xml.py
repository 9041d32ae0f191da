"""Reader for the DfE children in need (CIN) census XML: referrals, assessments, section 47
enquiries and child protection plans.

The XML is parsed with defusedxml and no DTD is allowed at all: a census file never declares one,
and refusing it refuses entity expansion (the "billion laughs" bomb) and external entities
(file or network reads) before any of them happens.

Each record keeps the line its element starts on, so a rejection points at the line to look at.
The census names its LA (the DfE 3-digit code) and its year; it lists every episode open in the
year, so referrals from before the year are carried as well as those within it.
"""

from __future__ import annotations

import io
import xml.sax
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.sax import parse as parse_safely

from etl.errors import ExtractError
from etl.readers.native_csv import RawExtract
from etl.readers.returns import NativeRows, text_date
from warehouse.db import la_code_for_old_code
from warehouse.model.files import active_model

# Records: each makes rows of a fact (a Child, its details).
RECORDS = {"Child", "CINdetails", "Assessments", "Section47", "ChildProtectionPlans"}
# Every element of the census, with the elements it may sit in (None: the root). An element
# anywhere else (inside a vendor's own element, say, where a stale copy of a child is kept) is
# not the census's: it is reported as ignored and nothing inside it is read.
_IN = {
    None: ("Message",),
    "Message": ("Header", "Children"),
    "Header": ("CollectionDetails", "Source"),
    "CollectionDetails": ("Collection", "Year", "ReferenceDate"),
    "Source": ("SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"),
    "Children": ("Child",),
    "Child": ("ChildIdentifiers", "ChildCharacteristics", "CINdetails"),
    "ChildIdentifiers": (
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "GenderCurrent",
        "PersonDeathDate",
    ),
    "ChildCharacteristics": ("Ethnicity", "Disabilities"),
    "Disabilities": ("Disability",),
    "CINdetails": (
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
        "Assessments",
        "CINPlanDates",
        "Section47",
        "ChildProtectionPlans",
    ),
    "Assessments": (
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment",
    ),
    "FactorsIdentifiedAtAssessment": ("AssessmentFactors",),
    "CINPlanDates": ("CINPlanStartDate", "CINPlanEndDate"),
    "Section47": ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"),
    "ChildProtectionPlans": (
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
        "Reviews",
    ),
    "Reviews": ("CPPreviewDate",),
}
PLACES: dict[str, set[str | None]] = {}
for _parent, _elements in _IN.items():
    for _element in _elements:
        PLACES.setdefault(_element, set()).add(_parent)
KNOWN = set(PLACES)
# Our column -> the census element, per record; the element names are what a rejection shows.
CHILD_FIELDS = {
    "child_id": "LAchildID",
    "date_of_birth": "PersonBirthDate",
    "gender": "GenderCurrent",
    "ethnicity": "Ethnicity",
}
REFERRAL_FIELDS = {"referral_date": "CINreferralDate", "source": "ReferralSource", "is_nfa": "ReferralNFA"}
ASSESSMENT_FIELDS = {
    "start_date": "AssessmentActualStartDate",
    "authorised_date": "AssessmentAuthorisationDate",
    "factors": "AssessmentFactors",  # one element per factor, read as "2A;2B"
}
S47_FIELDS = {
    "start_date": "S47ActualStartDate",
    "icpc_date": "DateOfInitialCPC",
    "icpc_not_required": "ICPCnotRequired",
}
CP_FIELDS = {
    "start_date": "CPPstartDate",
    "end_date": "CPPendDate",
    "initial_category": "InitialCategoryOfAbuse",
    "latest_category": "LatestCategoryOfAbuse",
    "previous_plans": "NumberOfPreviousCPP",
}


@dataclass(slots=True)  # one per record of a census of tens of thousands of children
class _Record:
    kind: str
    line: int
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # element -> the line it is on
    children: list[_Record] = field(default_factory=list)
    disabilities: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[_Record]:
        return [c for c in self.children if c.kind == kind]


class _CensusHandler(xml.sax.ContentHandler):
    """Builds the census's records (child > referral > assessment, S47, plan) with their lines,
    from elements at their place in the census only."""

    _locator: xml.sax.xmlreader.Locator  # set by the parser (setDocumentLocator) before the first element

    def __init__(self) -> None:
        super().__init__()
        self.header: dict[str, str] = {}
        self.children: list[_Record] = []
        self.unknown: set[str] = set()  # names of elements ignored, as the census has no such element there
        self.stray: list[str] = []  # what the user is told of ignored elements that held records
        self._path: list[str] = []  # the open elements that are the census's
        self._open: list[_Record] = []
        self._text: list[str] = []
        self._line = 0
        self._in_header = False
        self._skipping = 0  # depth inside an ignored element
        self._skipped: tuple[str, str | None, int] = ("", None, 0)  # (element, its parent, line)
        self._skipped_records: dict[str, int] = {}

    def startElement(self, name: str, attrs: xml.sax.xmlreader.AttributesImpl) -> None:
        self._text = []
        self._line = self._locator.getLineNumber() or 0
        if self._skipping:
            self._skipping += 1
            if name in RECORDS:
                self._skipped_records[name] = self._skipped_records.get(name, 0) + 1
            return
        parent = self._path[-1] if self._path else None
        if parent not in PLACES.get(name, ()):
            self.unknown.add(name if name not in KNOWN else f"{name} (in {parent or 'no element'})")
            self._skipping, self._skipped, self._skipped_records = 1, (name, parent, self._line), {}
            if name in RECORDS:
                self._skipped_records[name] = 1
            return
        self._path.append(name)
        if name == "Header":
            self._in_header = True
        elif name in RECORDS:
            record = _Record(name, self._line)
            if name == "Child":
                self.children.append(record)
            else:
                self._open[-1].children.append(record)
            self._open.append(record)

    def characters(self, content: str) -> None:
        if not self._skipping:
            self._text.append(content)

    def endElement(self, name: str) -> None:
        if self._skipping:
            self._skipping -= 1
            if not self._skipping and self._skipped_records:
                self._note_skipped()
            return
        text = "".join(self._text).strip()
        self._text = []
        self._path.pop()
        if name == "Header":
            self._in_header = False
        elif name in RECORDS:
            self._open.pop()
        elif self._in_header:
            self.header[name] = text
        elif self._open and text:
            record = self._open[-1]
            if name == "Disability":
                record.disabilities.append(text)
            elif name == "AssessmentFactors" and name in record.values:  # one element per factor
                record.values[name] += ";" + text
            else:
                record.values.setdefault(name, text)
                record.lines.setdefault(name, self._line)

    def _note_skipped(self) -> None:
        element, parent, line = self._skipped
        records = ", ".join(f"{count} {name}" for name, count in sorted(self._skipped_records.items()))
        where = f"inside {parent}" if parent else "outside the census's Message"
        self.stray.append(
            f"line {line}: {element} {where} is not where the CIN census has it; the records in it "
            f"({records}) were ignored, not loaded"
        )


def dtd_refusal(path: Path, what: str) -> ExtractError:
    return ExtractError(
        path,
        "the XML declares a DTD or entities, which a CIN census file never does; it was refused "
        f"unread, as it could expand without limit or read other files ({what})",
    )


def _parse(path: Path, data: bytes) -> _CensusHandler:
    handler = _CensusHandler()
    if not data.strip():
        raise ExtractError(path, "the file is empty")
    try:
        parse_safely(io.BytesIO(data), handler, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise dtd_refusal(path, type(error).__name__) from error
    except xml.sax.SAXParseException as error:
        raise ExtractError(
            path, f"the file is not well-formed XML: {error.getMessage()} on line {error.getLineNumber()}"
        ) from error
    except LookupError as error:  # the parser looks up the codec the XML declaration names
        encoding = str(error).removeprefix("unknown encoding: ")
        raise ExtractError(
            path,
            f"the XML declares an encoding ('{encoding}') that is not known: a CIN census file is UTF-8; "
            'save it as UTF-8 (<?xml version="1.0" encoding="UTF-8"?>)',
        ) from error
    return handler


def _census_la(path: Path, header: dict[str, str], la_code: str | None, notes: list[str]) -> str:
    lea = header.get("LEA", "").strip()
    named = la_code_for_old_code(lea) if lea else None
    if lea and named is None:
        if not la_code:
            raise ExtractError(
                path,
                f"LEA '{lea}' in the header is not an English LA's 3-digit DfE code: name the "
                "LA with --la to load it under that LA",
            )
        # Test files and some systems carry a made-up LEA: the LA the user names is the one meant.
        notes.append(
            f"the header's LEA '{lea}' is not an English LA's 3-digit DfE code; loaded under {la_code}, "
            "as --la names"
        )
    if la_code and named and la_code != named:
        raise ExtractError(path, f"the header's LEA {lea} is {named}, but the load named {la_code}")
    chosen = la_code or named
    if not chosen:
        raise ExtractError(path, "the header has no LEA: name the LA with --la (for example E08000021)")
    return chosen


def _census_year(path: Path, header: dict[str, str]) -> tuple[date, date]:
    written = header.get("ReferenceDate", "").strip()
    if not written:
        raise ExtractError(
            path, "the header has no ReferenceDate (the census date): name the window with --from and --to"
        )
    reference = text_date(written)
    if reference is None:
        raise ExtractError(
            path,
            f"ReferenceDate '{written}' in the header is not a date (the census date, as "
            "YYYY-MM-DD): correct it, or name the window with --from and --to",
        )
    # The census year is the year to the reference date: it starts the day after the same date a
    # year before, or for a 29 February the day after 28 February (the year before has no 29th).
    try:
        year_before = reference.replace(year=reference.year - 1)
    except ValueError:
        year_before = date(reference.year - 1, 2, 28)
    return year_before + timedelta(days=1), reference


def _disability(child: _Record) -> str | None:
    if not child.disabilities:
        return None
    return "N" if all(d.upper() == "NONE" for d in child.disabilities) else "Y"


def read_cin_census(
    path: Path, la_code: str | None, coverage: tuple[date, date] | None = None, data: bytes | None = None
) -> list[RawExtract]:
    """Native extracts of the census's referrals, assessments, S47 enquiries and CP plans."""
    census = _parse(path, path.read_bytes() if data is None else data)
    notes = list(census.stray)
    if census.header.get("Collection", "CIN").upper() != "CIN":
        raise ExtractError(
            path, f"the header says this is a {census.header['Collection']} return, not the CIN census"
        )
    if not census.children:
        raise ExtractError(path, "the census has no Child elements")
    la_code = _census_la(path, census.header, la_code, notes)
    window = coverage or _census_year(path, census.header)
    referrals, assessments, s47s, plans = (
        NativeRows(
            path,
            active_model().datasets[dataset],
            field_labels={**CHILD_FIELDS, **fields},
            derived_id_columns=ids,
            carries_open_records=True,
        )
        for dataset, fields, ids in (
            ("referrals", REFERRAL_FIELDS, ("referral_id",)),
            ("assessments", ASSESSMENT_FIELDS, ("assessment_id", "referral_id")),
            ("s47", S47_FIELDS, ("s47_id", "referral_id")),
            ("cp_plans", CP_FIELDS, ("cp_plan_id", "s47_id")),
        )
    )
    ignored = sorted(census.unknown)
    for child in census.children:
        about = {column: child.values.get(element) for column, element in CHILD_FIELDS.items()}
        about["disability"] = _disability(child)
        child_id = about["child_id"]
        for episode in child.of("CINdetails"):
            referral_id = referrals.record_id(child_id, episode.values.get("CINreferralDate"))
            referrals.add(
                episode.line,
                {
                    **about,
                    "referral_id": referral_id,
                    **{c: episode.values.get(e) for c, e in REFERRAL_FIELDS.items()},
                },
                child.lines | episode.lines,
            )
            for assessment in episode.of("Assessments"):
                values = {c: assessment.values.get(e) for c, e in ASSESSMENT_FIELDS.items()}
                assessments.add(
                    assessment.line,
                    {
                        **about,
                        **values,
                        "referral_id": referral_id,
                        "assessment_id": assessments.record_id(child_id, values["start_date"]),
                    },
                    child.lines | assessment.lines,
                )
            conferences: dict[str, str] = {}
            for enquiry in episode.of("Section47"):
                values = {c: enquiry.values.get(e) for c, e in S47_FIELDS.items()}
                s47_id = s47s.record_id(child_id, values["start_date"])
                if values["icpc_date"]:
                    conferences.setdefault(values["icpc_date"], s47_id)
                s47s.add(
                    enquiry.line,
                    {
                        **about,
                        **values,
                        "s47_id": s47_id,
                        "referral_id": referral_id,
                        "outcome": "ICPC" if values["icpc_date"] else None,
                    },
                    child.lines | enquiry.lines,
                )
            for plan in episode.of("ChildProtectionPlans"):
                values = {c: plan.values.get(e) for c, e in CP_FIELDS.items()}
                # A plan starts at its ICPC: the enquiry whose conference fell on that day led to it.
                plans.add(
                    plan.line,
                    {
                        **about,
                        **values,
                        "s47_id": conferences.get(values["start_date"] or ""),
                        "cp_plan_id": plans.record_id(child_id, values["start_date"]),
                    },
                    child.lines | plan.lines,
                )
    extracts = []
    for rows in (referrals, assessments, s47s, plans):
        if rows.rows:
            rows.ignored_columns = ignored
            rows.notes = notes
            extracts.append(rows.extract(la_code, window))
    if not extracts:
        raise ExtractError(path, "the census has children but no referrals (CINdetails) in it")
    return extracts
