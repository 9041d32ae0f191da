"""Every option the Ofsted Annex A guidance gives for the coded columns we read becomes a code: with
its letter and code ("g) 3A: Health services"), its letter and label alone ("d) Health services") or its
label alone ("Health services"). A label that names only a group of CIN codes (Individual, Health
services, LA services) becomes the group's own code, so it counts under its agency group."""

from __future__ import annotations

from datetime import datetime

import pytest

from etl.pipeline import SourceOptions
from etl.staging.codes import known_codes, normalise_code
from tests.helpers import CONTACT_HEADER, contact, workbook
from warehouse.model.datasets import Code, Column

# The Annex A template's contact and referral sources, lettered as its drop-down lists them.
LETTERED_SOURCES = {
    "a) 1A: Individual": "1A",
    "b) 1B: Individual": "1B",
    "c) 1C: Individual": "1C",
    "d) 1D: Individual": "1D",
    "e) 2A: Schools": "2A",
    "f) 2B: Education services": "2B",
    "g) 3A: Health services": "3A",
    "h) 3B: Health services": "3B",
    "i) 3C: Health services": "3C",
    "j) 3D: Health services": "3D",
    "k) 3E: Health services": "3E",
    "l) 3F: Health services": "3F",
    "m) 4: Housing": "4",
    "n) 5A: LA services": "5A",
    "o) 5B: LA services": "5B",
    "p) 5C: LA services": "5C",
    "q) 6: Police": "6",
    "r) 7: Other legal agency": "7",
    "s) 8: Other": "8",
    "t) 9: Anonymous": "9",
    "u) 10: Unknown": "10",
}
# The same sources by label alone, as the guidance's groups name them (with and without letters).
LABEL_ONLY_SOURCES = {
    "a) Individual": "1",
    "Individual": "1",
    "b) Schools": "2A",
    "Schools": "2A",
    "c) Education Services": "2B",
    "Education services": "2B",
    "d) Health Services": "3",
    "Health services": "3",
    "e) Housing": "4",
    "Housing": "4",
    "f) LA Services": "5",
    "LA services": "5",
    "g) Police": "6",
    "Police": "6",
    "h) Other legal agency": "7",
    "Other legal agency": "7",
    "i) Other": "8",
    "Other": "8",
    "j) Anonymous": "9",
    "Anonymous": "9",
    "k) Unknown": "10",
    "Unknown": "10",
}
OTHER_OPTIONS = [
    (
        "gender",
        {
            "a) Male": "M",
            "b) Female": "F",
            "c) Not stated/recorded": "U",
            "c) Not stated/recorded (or unborn)": "U",
            "d) Neither": "N",
        },
    ),
    (
        "abuse_category",
        {
            "a) Neglect": "NEG",
            "b) Physical Abuse": "PHY",
            "c) Sexual Abuse": "SAB",
            "d) Emotional Abuse": "EMO",
            "e) Multiple": "MUL",
            "e) Multiple/not recommended": "MUL",
        },
    ),
    ("yes_no", {"a) Yes": "Y", "b) No": "N", "Yes": "Y", "No": "N"}),
    ("disability", {"a) Yes": "Y", "b) No": "N", "c) Unknown": "U", "Yes": "Y", "No": "N", "Unknown": "U"}),
]


@pytest.mark.parametrize("options", [LETTERED_SOURCES, LABEL_ONLY_SOURCES], ids=["lettered", "label_only"])
def test_every_annex_a_source_option_is_a_code(options):
    assert {option: normalise_code(option, "referral_source") for option in options} == options


def test_a_columns_own_codes_are_read_like_a_shipped_list():
    agency = Column(
        name="lead_agency",
        kind="code",
        codes=(Code(code="SCH", label="School"), Code(code="HEA", label="Health", aliases=("NHS", "GP"))),
        description="The lead agency.",
    )
    read = {
        value: normalise_code(value, agency.code_list)
        for value in ("sch", " School ", "b) nhs", "gp", "Police")
    }
    assert read == {"sch": "SCH", " School ": "SCH", "b) nhs": "HEA", "gp": "HEA", "Police": None}
    assert known_codes(agency.code_list) == ("SCH", "HEA")


@pytest.mark.parametrize("codelist, options", OTHER_OPTIONS, ids=[c for c, _ in OTHER_OPTIONS])
def test_every_annex_a_option_of_the_other_coded_columns_is_a_code(codelist, options):
    assert {option: normalise_code(option, codelist) for option in options} == options


def test_label_only_sources_load_and_count_under_their_agency_group(tmp_path, load, query):
    sources = ["a) Individual", "Health services", "f) LA Services", "d) Health Services", "q) 6: Police"]
    path = workbook(
        tmp_path / "labels.xlsx",
        {
            "List 1": [CONTACT_HEADER]
            + [
                contact(child, datetime(2024, 6, child), source=source)
                for child, source in enumerate(sources, start=1)
            ]
        },
    )
    [outcome] = load(path, source=SourceOptions(la_code="E08000021"))
    assert (outcome.rows_loaded, outcome.rejections) == (5, [])
    groups = {
        "a) Individual": "Individual",
        "Health services": "Health",
        "f) LA Services": "Local authority",
        "d) Health Services": "Health",
        "q) 6: Police": "Police",
    }
    by_hand: dict[str, int] = {}
    for source in sources:
        by_hand[groups[source]] = by_hand.get(groups[source], 0) + 1
    assert (
        dict(
            query(
                "SELECT s.agency_group, count(*) FROM contact JOIN ref_referral_source AS s ON s.code = "
                "contact.source GROUP BY 1"
            )
        )
        == by_hand
    )
    # the cube counts them under the same groups: none is lost to an unknown code
    assert (
        dict(query("SELECT agency, sum(n)::INT FROM kpi_cube WHERE measure = 'contacts' GROUP BY 1"))
        == by_hand
    )


def test_a_disability_not_known_loads_as_not_known_and_keeps_its_row(tmp_path, load, query):
    header = [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
    ]
    answers = {1: "a) Yes", 2: "b) No", 3: "c) Unknown", 4: None}
    path = workbook(
        tmp_path / "disability.xlsx",
        {
            "List 1": [CONTACT_HEADER, contact(9, datetime(2024, 6, 2))],
            "List 5": [header]
            + [
                [child, "b) Female", "a) WBRI", datetime(2015, 1, 25), answer, datetime(2024, 6, child)]
                for child, answer in answers.items()
            ],
        },
    )
    _contacts, s47s = load(path, source=SourceOptions(la_code="E08000021"))
    assert (s47s.rows_loaded, s47s.rejections) == (len(answers), [])
    # Yes, No, and not known (as a blank is) for the unknown and the blank answers
    assert sorted(
        query("SELECT has_disability FROM child JOIN s47_enquiry USING (child_id)"), key=repr
    ) == sorted([(True,), (False,), (None,), (None,)], key=repr)
