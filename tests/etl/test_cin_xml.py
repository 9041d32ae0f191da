"""The CIN census XML loads into the same facts as native extracts, and hostile XML is refused
before it can expand or read anything."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date
from pathlib import Path

import pytest

from etl.pipeline import SourceOptions

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "cin"
FACTS = ("referral", "assessment", "s47_enquiry", "cp_plan")


def fact_counts(query) -> dict[str, int]:
    return {table: query(f"SELECT count(*) FROM {table}")[0][0] for table in FACTS}


def lines_of(path: Path, text: str) -> list[int]:
    """The lines (numbered from 1, as an editor does) that hold the text."""
    return [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if text in line]


def counts_by_hand(path: Path) -> dict[str, int]:
    """Elements counted with the standard library (the samples declare no entities)."""
    root = ElementTree.parse(path).getroot()
    return {"referral": len(root.findall(".//CINdetails")), "assessment": len(root.findall(".//Assessments")),
            "s47_enquiry": len(root.findall(".//Section47")), "cp_plan": len(root.findall(".//ChildProtectionPlans"))}


@pytest.mark.parametrize("sample", ["cin-2022.xml", "cin_2022_pipeline.xml"])
def test_a_one_child_sample_puts_each_record_into_its_fact(sample, load, query):
    assert counts_by_hand(SAMPLES / sample) == dict.fromkeys(FACTS, 1)
    outcomes = load(SAMPLES / sample)
    assert [(o.dataset, o.status, o.rows_loaded) for o in outcomes] == [
        ("referrals", "loaded", 1), ("assessments", "loaded", 1), ("s47", "loaded", 1), ("cp_plans", "loaded", 1)]
    assert fact_counts(query) == dict.fromkeys(FACTS, 1)
    # the header's LEA 201 is the City of London; ReferenceDate 2022-03-31 closes the census year
    assert {(o.la_code, o.coverage_start, o.coverage_end, o.source_format) for o in outcomes} == {
        ("E09000001", date(2021, 4, 1), date(2022, 3, 31), "cin_xml")}


def test_the_records_keep_their_values_and_links(load, query):
    load(SAMPLES / "cin_2022_pipeline.xml")
    assert query("SELECT referral_date, source, is_nfa FROM referral") == [(date(1970, 10, 6), "1A", True)]
    assert query("SELECT start_date, icpc_date, outcome, icpc_not_required FROM s47_enquiry") == [
        (date(1970, 2, 2), date(1970, 2, 11), "ICPC", False)]
    assert query("SELECT start_date, end_date, initial_category, latest_category, previous_plans FROM cp_plan") == [
        (date(1970, 2, 17), date(1971, 3, 14), "PHY", "PHY", 1)]
    assert query("SELECT s.referral_id = r.referral_id, a.referral_id = r.referral_id "
                 "FROM s47_enquiry AS s, referral AS r, assessment AS a") == [(True, True)]
    assert query("SELECT gender, ethnicity, has_disability FROM child") == [("M", "WBRI", True)]
    assert not query("SELECT * FROM referral WHERE referral_id LIKE '%249901%' OR child_id = '249901'")


def test_the_faulty_sample_loads_its_good_records_and_rejects_the_rest_by_line(load, query):
    path = SAMPLES / "cin-2022-three-children.xml"
    assert counts_by_hand(path) == dict.fromkeys(FACTS, 3)
    outcomes = load(path)
    # child 2 (line 75) has no LAchildID; children 2 and 3 have ReferralNFA 'wrong'; child 3's
    # ICPC date is 'notadate'
    assert [(o.dataset, o.rows_read, o.rows_loaded) for o in outcomes] == [
        ("referrals", 3, 1), ("assessments", 3, 2), ("s47", 3, 1), ("cp_plans", 3, 2)]
    referrals, assessments, s47s, _ = outcomes
    # A missing field is pointed at by its record's first line; a wrong one by its own line.
    wrong_nfa = lines_of(path, "<ReferralNFA>wrong<")
    assert len(wrong_nfa) == 2 and lines_of(path, "<CINdetails>")[1] == 91
    assert [(r.row_number, r.field, r.value) for r in referrals.rejections] == [
        (91, "LAchildID", None), (wrong_nfa[0], "ReferralNFA", "wrong"), (wrong_nfa[1], "ReferralNFA", "wrong")]
    assert [(r.row_number, r.field) for r in assessments.rejections] == [(98, "LAchildID")]
    [icpc] = lines_of(path, "<DateOfInitialCPC>notadate<")
    assert [(r.row_number, r.field, r.value, r.message) for r in s47s.rejections][1] == (
        icpc, "DateOfInitialCPC", "notadate", "DateOfInitialCPC 'notadate' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
    assert referrals.ignored_columns == ["extra_unkown"]  # the sample's unknown element, reported
    assert fact_counts(query) == {"referral": 1, "assessment": 2, "s47_enquiry": 1, "cp_plan": 2}


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Message [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails><Source><LEA>391</LEA></Source></Header>
<Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers>
<CINdetails><CINreferralDate>2023-06-01</CINreferralDate><ReferralSource>6</ReferralSource>
<ReferralNFA>false</ReferralNFA></CINdetails></Child></Children></Message>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY secret SYSTEM "file://{target}">]>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails><Source><LEA>391</LEA></Source></Header>
<Children><Child><ChildIdentifiers><LAchildID>&secret;</LAchildID></ChildIdentifiers>
<CINdetails><CINreferralDate>2023-06-01</CINreferralDate><ReferralSource>6</ReferralSource>
<ReferralNFA>false</ReferralNFA></CINdetails></Child></Children></Message>
"""

GOOD = """<?xml version="1.0"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails><Source><LEA>391</LEA></Source></Header>
<Children><Child><ChildIdentifiers><LAchildID>C1</LAchildID><GenderCurrent>2</GenderCurrent></ChildIdentifiers>
<CINdetails><CINreferralDate>2023-06-01</CINreferralDate><ReferralSource>6</ReferralSource>
<ReferralNFA>false</ReferralNFA><NewLocalElement>x</NewLocalElement></CINdetails></Child></Children></Message>
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("hostile", ["billion_laughs", "external_entity"])
def test_hostile_xml_is_refused_unread_and_nothing_loaded_changes(hostile, tmp_path, load, query):
    secret = write(tmp_path / "secret.txt", "TOP-SECRET-CONTENT")
    load(write(tmp_path / "good.xml", GOOD))
    before = fact_counts(query)
    text = BILLION_LAUGHS if hostile == "billion_laughs" else EXTERNAL_ENTITY.format(target=secret)
    [outcome] = load(write(tmp_path / f"{hostile}.xml", text))
    assert outcome.status == "failed"
    assert "declares a DTD or entities, which a CIN census file never does; it was refused unread" in outcome.message
    assert "TOP-SECRET" not in outcome.message
    assert fact_counts(query) == before == {"referral": 1, "assessment": 0, "s47_enquiry": 0, "cp_plan": 0}
    assert not query("SELECT * FROM etl_rejection WHERE value LIKE '%TOP-SECRET%' OR value LIKE '%lol%'")


def test_an_unknown_element_is_reported_and_ignored(tmp_path, load, query):
    [outcome] = load(write(tmp_path / "local.xml", GOOD))
    assert (outcome.status, outcome.rows_loaded, outcome.ignored_columns) == ("loaded", 1, ["NewLocalElement"])
    assert outcome.la_code == "E08000021"  # LEA 391


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("</Message>", ""), "the file is not well-formed XML: no element found on line 7"),
    (GOOD.replace("<LEA>391</LEA>", "<LEA>999</LEA>"), "LEA '999' in the header is not an English LA's 3-digit DfE code"),
    (GOOD.replace("<Collection>CIN</Collection>", "<Collection>SCHOOLCENSUS</Collection>"),
     "the file is XML but not a CIN census"),
    (GOOD.replace("<ReferenceDate>2024-03-31</ReferenceDate>", ""), "the header has no ReferenceDate"),
])
def test_a_structurally_wrong_census_loads_nothing_and_says_why(text, message, tmp_path, load, query):
    [outcome] = load(write(tmp_path / "census.xml", text))
    assert outcome.status == "failed" and message in outcome.message


def test_a_named_la_that_contradicts_the_header_is_refused(tmp_path, load):
    [outcome] = load(write(tmp_path / "census.xml", GOOD), source=SourceOptions(la_code="E06000057"))
    assert outcome.status == "failed"
    assert outcome.message == "the header's LEA 391 is E08000021, but the load named E06000057"
