"""The CIN census XML loads into the same facts as native extracts, and hostile XML is refused
before it can expand or read anything."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from etl.pipeline import SourceOptions

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "cin"
FACTS = ("referral", "assessment", "s47_enquiry", "cp_plan")


def fact_counts(query) -> dict[str, int]:
    return {table: query(f"SELECT count(*) FROM {table}")[0][0] for table in FACTS}


def lines_of(path: Path, text: str) -> list[int]:
    """The lines (numbered from 1, as an editor does) that hold the text."""
    return [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if text in line
    ]


def counts_by_hand(path: Path) -> dict[str, int]:
    """Elements counted with the standard library (the samples declare no entities)."""
    root = ElementTree.parse(path).getroot()
    return {
        "referral": len(root.findall(".//CINdetails")),
        "assessment": len(root.findall(".//Assessments")),
        "s47_enquiry": len(root.findall(".//Section47")),
        "cp_plan": len(root.findall(".//ChildProtectionPlans")),
    }


@pytest.mark.parametrize("sample", ["cin-2022.xml", "cin_2022_pipeline.xml"])
def test_a_one_child_sample_puts_each_record_into_its_fact(sample, load, query):
    assert counts_by_hand(SAMPLES / sample) == dict.fromkeys(FACTS, 1)
    outcomes = load(SAMPLES / sample)
    assert [(o.dataset, o.status, o.rows_loaded) for o in outcomes] == [
        ("referrals", "loaded", 1),
        ("assessments", "loaded", 1),
        ("s47", "loaded", 1),
        ("cp_plans", "loaded", 1),
    ]
    assert fact_counts(query) == dict.fromkeys(FACTS, 1)
    # the header's LEA 201 is the City of London; ReferenceDate 2022-03-31 closes the census year
    assert {(o.la_code, o.coverage_start, o.coverage_end, o.source_format) for o in outcomes} == {
        ("E09000001", date(2021, 4, 1), date(2022, 3, 31), "cin_xml")
    }


def test_the_records_keep_their_values_and_links(load, query):
    load(SAMPLES / "cin_2022_pipeline.xml")
    assert query("SELECT referral_date, source, is_nfa FROM referral") == [(date(1970, 10, 6), "1A", True)]
    assert query("SELECT start_date, icpc_date, outcome, icpc_not_required FROM s47_enquiry") == [
        (date(1970, 2, 2), date(1970, 2, 11), "ICPC", False)
    ]
    assert query(
        "SELECT start_date, end_date, initial_category, latest_category, previous_plans FROM cp_plan"
    ) == [(date(1970, 2, 17), date(1971, 3, 14), "PHY", "PHY", 1)]
    assert query(
        "SELECT s.referral_id = r.referral_id, a.referral_id = r.referral_id "
        "FROM s47_enquiry AS s, referral AS r, assessment AS a"
    ) == [(True, True)]
    assert query("SELECT gender, ethnicity, has_disability FROM child") == [("M", "WBRI", True)]
    assert not query("SELECT * FROM referral WHERE referral_id LIKE '%249901%' OR child_id = '249901'")


def test_the_faulty_sample_loads_its_good_records_and_rejects_the_rest_by_line(load, query):
    path = SAMPLES / "cin-2022-three-children.xml"
    assert counts_by_hand(path) == dict.fromkeys(FACTS, 3)
    outcomes = load(path)
    # child 2 (line 75) has no LAchildID; children 2 and 3 have ReferralNFA 'wrong'; child 3's
    # ICPC date is 'notadate'
    assert [(o.dataset, o.rows_read, o.rows_loaded) for o in outcomes] == [
        ("referrals", 3, 1),
        ("assessments", 3, 2),
        ("s47", 3, 1),
        ("cp_plans", 3, 2),
    ]
    referrals, assessments, s47s, _ = outcomes
    # A missing field is pointed at by its record's first line; a wrong one by its own line.
    wrong_nfa = lines_of(path, "<ReferralNFA>wrong<")
    assert len(wrong_nfa) == 2 and lines_of(path, "<CINdetails>")[1] == 91
    assert [(r.row_number, r.field, r.value) for r in referrals.rejections] == [
        (91, "LAchildID", None),
        (wrong_nfa[0], "ReferralNFA", "wrong"),
        (wrong_nfa[1], "ReferralNFA", "wrong"),
    ]
    assert [(r.row_number, r.field) for r in assessments.rejections] == [(98, "LAchildID")]
    [icpc] = lines_of(path, "<DateOfInitialCPC>notadate<")
    assert [(r.row_number, r.field, r.value, r.message) for r in s47s.rejections][1] == (
        icpc,
        "DateOfInitialCPC",
        "notadate",
        "DateOfInitialCPC 'notadate' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
    )
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
    assert (
        "declares a DTD or entities, which a CIN census file never does; it was refused unread"
        in outcome.message
    )
    assert "TOP-SECRET" not in outcome.message
    assert fact_counts(query) == before == {"referral": 1, "assessment": 0, "s47_enquiry": 0, "cp_plan": 0}
    assert not query("SELECT * FROM etl_rejection WHERE value LIKE '%TOP-SECRET%' OR value LIKE '%lol%'")


def test_an_unknown_element_is_reported_and_ignored(tmp_path, load, query):
    [outcome] = load(write(tmp_path / "local.xml", GOOD))
    assert (outcome.status, outcome.rows_loaded, outcome.ignored_columns) == (
        "loaded",
        1,
        ["NewLocalElement"],
    )
    assert outcome.la_code == "E08000021"  # LEA 391


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace("</Message>", ""), "the file is not well-formed XML: no element found on line 7"),
        (
            GOOD.replace("<LEA>391</LEA>", "<LEA>999</LEA>"),
            "LEA '999' in the header is not an English LA's 3-digit DfE code",
        ),
        (
            GOOD.replace("<Collection>CIN</Collection>", "<Collection>SCHOOLCENSUS</Collection>"),
            "the file is XML but not a CIN census",
        ),
        (GOOD.replace("<ReferenceDate>2024-03-31</ReferenceDate>", ""), "the header has no ReferenceDate"),
    ],
)
def test_a_structurally_wrong_census_loads_nothing_and_says_why(text, message, tmp_path, load, query):
    [outcome] = load(write(tmp_path / "census.xml", text))
    assert outcome.status == "failed" and message in outcome.message


def test_a_named_la_that_contradicts_the_header_is_refused(tmp_path, load):
    [outcome] = load(write(tmp_path / "census.xml", GOOD), source=SourceOptions(la_code="E06000057"))
    assert outcome.status == "failed"
    assert outcome.message == "the header's LEA 391 is E08000021, but the load named E06000057"


# --- records only at their place in the census ----------------------------------------------------

HEAD = """<?xml version="1.0"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails><Source><LEA>391</LEA></Source></Header>
"""


def child(child_id: str, referral: str, extra: str = "", inside: str = "") -> str:
    """A child with one referral (an assessment and a plan in it), one element a line."""
    return (
        f"<Child>\n<ChildIdentifiers>\n<LAchildID>{child_id}</LAchildID>\n</ChildIdentifiers>\n{extra}"
        f"<CINdetails>\n<CINreferralDate>{referral}</CINreferralDate>\n<ReferralSource>6</ReferralSource>\n"
        f"<ReferralNFA>false</ReferralNFA>\n"
        f"<Assessments>\n<AssessmentActualStartDate>{referral}</AssessmentActualStartDate>\n{inside}"
        "</Assessments>\n"
        f"<ChildProtectionPlans>\n<CPPstartDate>{referral}</CPPstartDate>\n"
        f"<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>\n<NumberOfPreviousCPP>0</NumberOfPreviousCPP>\n"
        f"</ChildProtectionPlans>\n</CINdetails>\n</Child>\n"
    )


REAL = child("R1", "2023-06-01") + child("R2", "2023-07-01")
STALE = child("R1", "2022-01-05") + child("OLD9", "2022-02-07")
STRAY_LAYOUTS = {
    # a vendor's audit element inside Children keeps stale copies of children
    "audit_in_children": HEAD
    + "<Children>\n"
    + REAL
    + "<VendorAudit>\n"
    + STALE
    + "</VendorAudit>\n</Children>\n"
    "</Message>\n",
    # an archive of a whole earlier Children list beside the real one
    "archived_children": HEAD
    + "<Archive>\n<Children>\n"
    + STALE
    + "</Children>\n</Archive>\n<Children>\n"
    + REAL
    + "</Children>\n</Message>\n",
    # children written outside Children, straight in the Message
    "child_outside_children": HEAD + STALE + "<Children>\n" + REAL + "</Children>\n</Message>\n",
    # a referral kept in a vendor element inside a real child
    "history_in_child": HEAD
    + "<Children>\n"
    + child(
        "R1",
        "2023-06-01",
        extra="<History>\n<CINdetails>\n"
        "<CINreferralDate>2021-01-01</CINreferralDate>\n<ReferralSource>6</ReferralSource>\n"
        "</CINdetails>\n</History>\n",
    )
    + child("R2", "2023-07-01")
    + "</Children>\n</Message>\n",
    # a referral misplaced inside an assessment
    "referral_in_assessment": HEAD
    + "<Children>\n"
    + child(
        "R1",
        "2023-06-01",
        inside="<CINdetails>\n<CINreferralDate>2021-01-01</CINreferralDate>\n</CINdetails>\n",
    )
    + child("R2", "2023-07-01")
    + "</Children>\n</Message>\n",
}
SCHEMA_PATHS = {
    "referral": "./Children/Child/CINdetails",
    "assessment": "./Children/Child/CINdetails/Assessments",
    "s47_enquiry": "./Children/Child/CINdetails/Section47",
    "cp_plan": "./Children/Child/CINdetails/ChildProtectionPlans",
}


@pytest.mark.parametrize("layout", STRAY_LAYOUTS)
def test_records_outside_their_place_in_the_census_are_reported_and_not_loaded(layout, tmp_path, load, query):
    text = STRAY_LAYOUTS[layout]
    root = ElementTree.fromstring(text.encode())
    expected = {table: len(root.findall(path)) for table, path in SCHEMA_PATHS.items()}
    everywhere = {
        table: len(root.findall(".//" + path.rsplit("/", 1)[1])) for table, path in SCHEMA_PATHS.items()
    }
    assert (
        expected == {"referral": 2, "assessment": 2, "s47_enquiry": 0, "cp_plan": 2}
        and everywhere != expected
    )
    outcomes = load(write(tmp_path / "census.xml", text))
    assert {o.status for o in outcomes} == {"loaded"}
    assert fact_counts(query) == expected
    stray, count = {
        "audit_in_children": ("VendorAudit", 1),
        "archived_children": ("Archive", 1),
        "child_outside_children": ("Child", 2),
        "history_in_child": ("History", 1),
        "referral_in_assessment": ("CINdetails", 1),
    }[layout]
    lines = text.splitlines()
    assert len(outcomes[0].notes) == count
    for note in outcomes[0].notes:
        found = re.match(
            rf"line (\d+): {stray} (inside \w+|outside the census's Message) is not where the CIN census "
            r"has it; the records in it \((.*)\) were ignored, not loaded$",
            note,
        )
        assert found, note
        line = int(found.group(1))
        assert lines[line - 1] == f"<{stray}>"
        assert found.group(3) == _records_in(text, stray, line)
    assert not query("SELECT * FROM referral WHERE referral_date < DATE '2023-01-01'")


def _records_in(text: str, element: str, line: int) -> str:
    """The records inside the element that starts on the line, counted with ElementTree."""
    lines = text.splitlines()
    depth, end = 0, line - 1
    for end in range(line - 1, len(lines)):
        depth += lines[end].count(f"<{element}>") - lines[end].count(f"</{element}>")
        if depth == 0:
            break
    part = ElementTree.fromstring("\n".join(lines[line - 1 : end + 1]).encode())
    names = ("Assessments", "CINdetails", "Child", "ChildProtectionPlans", "Section47")
    counts = {name: len(part.findall(".//" + name)) + (part.tag == name) for name in names}
    return ", ".join(f"{count} {name}" for name, count in counts.items() if count)


def test_a_stray_element_without_records_is_only_listed_as_ignored(tmp_path, load, query):
    text = (
        HEAD
        + "<Children>\n"
        + child("R1", "2023-06-01", extra="<VendorNote>\n<Text>x</Text>\n</VendorNote>\n")
        + "</Children>\n</Message>\n"
    )
    outcomes = load(write(tmp_path / "census.xml", text))
    assert outcomes[0].notes == [] and outcomes[0].ignored_columns == ["VendorNote"]
    assert fact_counts(query) == {"referral": 1, "assessment": 1, "s47_enquiry": 0, "cp_plan": 1}


def test_the_cli_says_what_was_ignored(tmp_path, settings, monkeypatch):
    from typer.testing import CliRunner

    from etl.cli import app

    monkeypatch.setenv("COLUMNS", "300")
    path = write(tmp_path / "census.xml", STRAY_LAYOUTS["audit_in_children"])
    result = CliRunner().invoke(app, ["load", str(path)])
    assert result.exit_code == 0, result.output
    line = next(
        n
        for n, text in enumerate(STRAY_LAYOUTS["audit_in_children"].splitlines(), 1)
        if text == "<VendorAudit>"
    )
    # said once for the file, not once per dataset
    assert (
        result.output.count(
            f"census.xml: line {line}: VendorAudit inside Children is not where the CIN census "
            "has it; the records in it (2 Assessments, 2 CINdetails, 2 Child, 2 "
            "ChildProtectionPlans) were ignored, not loaded"
        )
        == 1
    )


# --- line numbers of rejections: the field's own line ------------------------------------------------


def test_a_rejection_points_at_the_line_of_its_field(tmp_path, load):
    text = (
        HEAD
        + "<Children>\n"
        + child("R1", "2023-06-01")
        .replace("<ReferralNFA>false", "<ReferralNFA>perhaps")
        .replace("<NumberOfPreviousCPP>0", "<NumberOfPreviousCPP>many")
        + "</Children>\n</Message>\n"
    )
    referrals, _, plans = load(write(tmp_path / "census.xml", text))
    lines = text.splitlines()
    at = lambda fragment: next(n for n, line in enumerate(lines, 1) if fragment in line)
    assert [(r.row_number, r.field) for r in referrals.rejections] == [
        (at("<ReferralNFA>perhaps"), "ReferralNFA")
    ]
    assert [(r.row_number, r.field) for r in plans.rejections] == [
        (at("<NumberOfPreviousCPP>many"), "NumberOfPreviousCPP")
    ]
    assert at("<ReferralNFA>") != at("<CINdetails>")  # the record starts elsewhere


# --- an LEA that is no English LA's code --------------------------------------------------------------


@pytest.mark.parametrize("lea", ["999", "000", "TEST", "9391"])
def test_a_header_lea_that_is_no_english_la_loads_under_the_named_la_with_a_warning(
    lea, tmp_path, load, query
):
    path = write(tmp_path / "census.xml", GOOD.replace("<LEA>391</LEA>", f"<LEA>{lea}</LEA>"))
    [refused] = load(path)
    assert refused.status == "failed"
    assert refused.message == (
        f"LEA '{lea}' in the header is not an English LA's 3-digit DfE code: name the LA with "
        "--la to load it under that LA"
    )
    [outcome] = load(path, source=SourceOptions(la_code="E06000057"))
    assert (outcome.status, outcome.la_code, outcome.rows_loaded) == ("loaded", "E06000057", 1)
    assert outcome.notes == [
        (
            f"the header's LEA '{lea}' is not an English LA's 3-digit DfE code; loaded under "
            "E06000057, as --la names"
        )
    ]
    assert query("SELECT la_code, count(*) FROM referral GROUP BY la_code") == [("E06000057", 1)]


# --- DTDs and entities are named as such, however the format is told ---------------------------------


@pytest.mark.parametrize(
    "prologue",
    [
        "<!DOCTYPE Message>\n",
        '<!DOCTYPE Message [<!ENTITY c "CIN">]>\n',
        '<!DOCTYPE Message SYSTEM "cin.dtd">\n',
        "<!DOCTYPE Message [\n"
        + "".join(f'<!ENTITY e{i} "{"x" * 60}">\n' for i in range(80))
        + "]>\n",  # past 4 kB
    ],
)
@pytest.mark.parametrize("named", [False, True])
def test_a_census_with_a_dtd_says_so_not_that_it_is_no_census(prologue, named, tmp_path, load):
    text = GOOD.replace('<?xml version="1.0"?>\n', '<?xml version="1.0"?>\n' + prologue)
    if "ENTITY c " in prologue:
        text = text.replace("<Collection>CIN<", "<Collection>&c;<")
    source = SourceOptions("cin_xml") if named else SourceOptions()
    [outcome] = load(write(tmp_path / "census.xml", text), source=source)
    assert outcome.status == "failed"
    assert outcome.message.startswith(
        "the XML declares a DTD or entities, which a CIN census file never does"
    )
