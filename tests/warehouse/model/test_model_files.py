"""The model's files: the built-in ones read cleanly, a partnership's own are added, and every kind
of mistake is refused with the file, the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.model.datasets import Kind, Privacy
from warehouse.model.files import ModelError, read_model

LOCAL_KPI = """
[[kpi]]
id = "{id}"
title = "Early help referrals"
dataset = "referrals"
unit = "count"
direction = "neutral"
timing = "flow"
numerator = "referrals"
definition = "Referrals in the period."
"""

# A partnership's own dataset (the early-help example of docs/model.md), with its own codes and a
# free-text column.
LOCAL_DATASET = """
[[dataset]]
name = "{name}"
table = "{table}"
title = "Early help assessments"
layout = "child_records"
id_column = "eh_id"
event_date = "{event_date}"
carries_open_records = true

[[dataset.columns]]
name = "eh_id"
kind = "{id_kind}"
required = true
description = "Unique ID of the early help assessment."
example = "EH000101"

[[dataset.columns]]
name = "assessment_date"
kind = "date"
required = true
description = "Date the assessment started."
example = "2024-06-05"

[[dataset.columns]]
name = "{agency}"
kind = "code"
{agency_codes}
description = "The lead agency."
example = "SCH"

[[dataset.columns]]
name = "notes"
kind = "free_text"
description = "The lead worker's notes. Never stored."
"""
OWN_CODES = (
    'codes = [{ code = "SCH", label = "School" }, { code = "HEA", label = "Health", aliases = ["NHS"] }]'
)


def local_dataset(**changes: str) -> str:
    fields = {
        "name": "early_help",
        "table": "early_help_assessment",
        "event_date": "assessment_date",
        "id_kind": "text",
        "agency": "lead_agency",
        "agency_codes": OWN_CODES,
    }
    return LOCAL_DATASET.format(**(fields | changes))


def write(folder: Path, text: str, name: str = "local.toml") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_built_in_model_has_every_kpi_dimension_and_measure():
    model = read_model()
    # The core model's 24 KPIs and 26 measures, 13 and 15 over figures agencies submit (submitted_*.toml),
    # the four record-level partner packs' 25 and 24, and the published figures' and factors' 19 and 12.
    assert len(model.kpis) == 24 + 13 + 25 + 19 and len(model.measures) == 26 + 15 + 24 + 12
    assert [d.id for d in model.dimensions] == [
        "area", "agency", "age_band", "gender", "ethnicity", "category", "in_care", "disability",
        "exploitation_type", "exploitation_risk", "lado_sector", "lado_category", "lado_outcome", "dash_risk",
    ]  # fmt: skip
    # those a target rates first, in the order declared; the neutral volumes last
    assert model.executive_kpis[:3] == ("re_referral_12m", "icpc_15wd", "cp_repeat")
    assert model.executive_kpis[-2:] == ("referrals", "cp_open")
    assert model.kpis["cp_category"].dimensions[-2:] == ("category", "disability")
    assert (
        "in_care" in model.kpis["rhi_72h"].dimensions and "category" not in model.kpis["rhi_72h"].dimensions
    )


def test_a_partnerships_kpi_is_added_to_the_built_in_ones(tmp_path):
    model = read_model(write(tmp_path / "model", LOCAL_KPI.format(id="local_referrals")))
    assert (
        len(model.kpis) == len(read_model().kpis) + 1
        and model.kpis["local_referrals"].dimensions == model.kpis["referrals"].dimensions
    )


def test_the_built_in_datasets_share_the_standard_columns_declared_once():
    datasets = read_model().datasets
    assert list(datasets) == [
        "contacts", "referrals", "s47", "cp_plans", "missing_episodes", "assessments", "cla_missing_counts",
        "early_help_episodes", "exploitation_panel", "lado_allegations", "police_da_incidents",
    ]  # fmt: skip
    assert datasets["referrals"].column_names == (
        "la_code", "coverage_start", "coverage_end", "referral_id", "child_id", "date_of_birth", "gender",
        "ethnicity", "disability", "area_code", "postcode", "referral_date", "source", "is_nfa", "contact_id",
    )  # fmt: skip
    contacts = datasets["contacts"]
    assert {c.name: c.privacy for c in contacts.columns if c.privacy is not Privacy.KEPT} == {
        "child_id": Privacy.KEYED_HASH,
        "date_of_birth": Privacy.MONTH,
        "postcode": Privacy.SECTOR,
    }
    assert (contacts.column("source").codelist, contacts.required_columns[-2:]) == (
        "referral_source",
        ("contact_date", "source"),
    )


SCHOOL_LED = """
[[measure]]
id = "eh_school_led"
dataset = "early_help"
timing = "flow"
description = "Early help assessments led by a school."
date = "assessment_date"
where = [{ column = "lead_agency", in = ["SCH"] }]
"""


def test_a_partnerships_dataset_is_laid_out_with_the_standard_columns(tmp_path):
    model = read_model(write(tmp_path / "model", local_dataset() + SCHOOL_LED))
    assert model.measures["eh_school_led"].dataset == "early_help"
    early_help = model.datasets["early_help"]
    assert early_help.column_names[:5] == ("la_code", "coverage_start", "coverage_end", "eh_id", "child_id")
    assert early_help.column_names[-3:] == ("assessment_date", "lead_agency", "notes")
    notes = early_help.column("notes")
    assert (notes.kind, notes.privacy) == (Kind.FREE_TEXT, Privacy.NEVER_STORED)
    assert [(c.code, c.aliases) for c in early_help.column("lead_agency").codes] == [
        ("SCH", ()),
        ("HEA", ("NHS",)),
    ]
    assert len(model.datasets) == 11 + 1  # the built-in ones (7 hand-written, 4 packs) and its own


def test_no_local_folder_is_the_built_in_model(tmp_path):
    assert read_model(tmp_path / "absent").kpis.keys() == read_model().kpis.keys()


# A dimension of the partnership's own, read from its records' `outcome` column.
OUTCOME_DIMENSION = """
[[dimension]]
id = "outcome"
label = "Outcome"
describe = "outcome"
url_key = "outcome"
datasets = {datasets}
values = [{{ code = "completed", label = "Completed" }}]
"""

MISTAKES = [
    # (what is wrong, the file's text, what the message must say)
    ("not TOML", "[[kpi]\nid = 1", "local.toml: not valid TOML"),
    ("an unknown section", '[[widget]]\nid = "w"', "local.toml: unknown section 'widget'"),
    ("a table, not an array", '[kpi]\nid = "x"', "local.toml: kpi: write each one as [[kpi]]"),
    ("an unknown key", LOCAL_KPI.format(id="k1") + 'colour = "red"\n', "kpi[0] ('k1').colour: Extra inputs"),
    (
        "a wrong type",
        LOCAL_KPI.format(id="k2").replace('"count"', '"litres"'),
        "kpi[0] ('k2').unit: Input should be",
    ),
    (
        "a missing key",
        LOCAL_KPI.format(id="k3").replace('title = "Early help referrals"\n', ""),
        "kpi[0] ('k3').title: Field required",
    ),
    (
        "an id that is not a name",
        LOCAL_KPI.format(id="x; DROP TABLE child"),
        ".id: String should match pattern",
    ),
    (
        "an unknown measure",
        LOCAL_KPI.format(id="k4").replace('numerator = "referrals"', 'numerator = "refs"'),
        "kpi[0] ('k4').numerator: no measure 'refs'",
    ),
    (
        "a measure of another dataset",
        LOCAL_KPI.format(id="k5").replace('numerator = "referrals"', 'numerator = "contacts"'),
        "measure 'contacts' counts contacts, not the KPI's dataset referrals",
    ),
    (
        "a clash with a built-in id",
        LOCAL_KPI.format(id="referrals"),
        "kpi[0] ('referrals'): id clashes with a built-in kpi",
    ),
    (
        "an id declared twice",
        LOCAL_KPI.format(id="k6") + LOCAL_KPI.format(id="k6"),
        "kpi[1] ('k6'): kpi id already declared in local.toml",
    ),
    (
        "a percent with nothing to divide by",
        LOCAL_KPI.format(id="k7").replace('"count"', '"percent"'),
        "kpi[0] ('k7').denominator: a percent KPI needs a denominator",
    ),
    (
        "a breakdown by an unknown dimension",
        LOCAL_KPI.format(id="k8") + 'breakdown = "postcode"\n',
        "kpi[0] ('k8').breakdown: no dimension 'postcode'",
    ),
    (
        "a breakdown the dataset does not carry",
        LOCAL_KPI.format(id="k9") + 'breakdown = "category"\n',
        "breakdown: dataset referrals does not carry 'category'",
    ),
    (
        "a breakdown a dataset of one's own has no column for",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "flow"\ndate = "assessment_date"\n'
        'description = "Assessments."\n'
        + LOCAL_KPI.format(id="k9b").replace('"referrals"', '"early_help"', 1).replace('"referrals"', '"eh"')
        + 'breakdown = "agency"\n',
        "kpi[0] ('k9b').breakdown: dataset early_help does not carry 'agency'",
    ),
    (
        "a stock KPI of a flow measure",
        LOCAL_KPI.format(id="k10").replace('"flow"', '"stock"'),
        "kpi[0] ('k10').timing: stock does not match measure 'referrals' (flow)",
    ),
    (
        "a dimension on a URL key the app uses",
        '[[dimension]]\nid = "school"\nlabel = "School"\ndescribe = "school"\nurl_key = "period"\ndatasets = "all"\nvalues = [{ code = "A", label = "A" }]\n',
        "dimension[0] ('school').url_key: 'period' is already used by the app",
    ),
    (
        "a dimension on a column another has",
        '[[dimension]]\nid = "source"\nlabel = "Source"\ndescribe = "source"\nurl_key = "source"\ncolumn = "agency"\ndatasets = "all"\nvalues = [{ code = "A", label = "A" }]\n',
        "dimension[0] ('source').column: 'agency' is already used by agency",
    ),
    (
        "a dimension of an unknown dataset",
        '[[dimension]]\nid = "school"\nlabel = "School"\ndescribe = "school"\nurl_key = "school"\ndatasets = ["schools"]\nvalues = [{ code = "A", label = "A" }]\n',
        "dimension[0] ('school').datasets: no dataset 'schools'",
    ),
    (
        "a dimension with no values to offer",
        '[[dimension]]\nid = "school"\nlabel = "School"\ndescribe = "school"\nurl_key = "school"\ndatasets = "all"\n',
        "dimension[0] ('school'): Value error, give the values offered one way",
    ),
    (
        "age bands out of order",
        (
            '[[dimension]]\nid = "age2"\nlabel = "Age"\ndescribe = "age"\nurl_key = "age2"\ndatasets = "all"\n'
            'age_bands = { unknown = "?", over = "18+", bands = [{ label = "b", below_months = 60 }, { label = "a", below_months = 12 }] }\n'
        ),
        "dimension[0] ('age2').age_bands: Value error, bands must be in ascending order",
    ),
    (
        "a measure of an undeclared dataset",
        '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "flow"\ndescription = "Assessments."\n',
        "measure[0] ('eh').dataset: no dataset 'early_help'",
    ),
    (
        "a dataset named like a built-in one",
        local_dataset(name="contacts"),
        "dataset[0] ('contacts'): name clashes with a built-in dataset",
    ),
    (
        "a dataset loading into a built-in one's table",
        local_dataset(table="contact"),
        "dataset[0] ('early_help').table: 'contact' is already the table of a built-in dataset 'contacts'",
    ),
    (
        "an event date that is not the dataset's column",
        local_dataset(event_date="start_date"),
        "dataset[0] ('early_help').event_date: 'start_date' is not one of the dataset's own columns",
    ),
    (
        "an event date that is not a date",
        local_dataset(event_date="eh_id"),
        "dataset[0] ('early_help').event_date: column 'eh_id' is text, not date or datetime",
    ),
    (
        "dates in order that are not both dates",
        local_dataset().replace(
            "carries_open_records = true",
            'carries_open_records = true\ndates_in_order = [{ later = "assessment_date", earlier = "lead_agency" }]',
        ),
        "dataset[0] ('early_help').dates_in_order.0.earlier: 'lead_agency' is not a date column of the dataset",
    ),
    (
        "an id column that is not text",
        local_dataset(id_kind="integer"),
        "dataset[0] ('early_help').id_column: column 'eh_id' is integer, not text",
    ),
    (
        "a column the standard layout already has",
        local_dataset(agency="gender"),
        "dataset[0] ('early_help').columns: 'gender' is declared twice",
    ),
    (
        "a code list that is not shipped",
        local_dataset(agency_codes='codelist = "lead_agencies"'),
        "dataset[0] ('early_help').columns ('lead_agency').codelist: no code list 'lead_agencies'",
    ),
    (
        "a code column with no codes",
        local_dataset(agency_codes=""),
        "dataset[0] ('early_help').columns.2: Value error, a code column names a shipped `codelist` or declares",
    ),
    (
        "a free-text column that would be kept",
        local_dataset().replace('kind = "free_text"', 'kind = "free_text"\nprivacy = "kept"'),
        "columns.3: Value error, a free_text column's privacy is never_stored, not kept",
    ),
    (
        "a layout without the columns a load reads the LA and window from",
        '[[layout]]\nname = "flat"\nfile_columns = []\nchild_columns = []\n',
        "layout[0] ('flat'): Value error, file_columns must be la_code, coverage_start, coverage_end",
    ),
    (
        "a measure dated by a column its dataset lacks",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "flow"\ndescription = "Assessments."\n'
        + 'date = "start_date"\n',
        "measure[0] ('eh').date: dataset early_help has no column 'start_date'",
    ),
    (
        "a measure that tests free text",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "flow"\ndescription = "Assessments."\n'
        + 'date = "assessment_date"\nwhere = [{ column = "notes", set = true }]\n',
        "measure[0] ('eh').where.0: column 'notes' is free text, which is never stored",
    ),
    (
        "a measure timing the days between a date and a code",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "flow"\ndescription = "Assessments."\n'
        + 'date = "assessment_date"\n'
        + 'where = [{ between = ["assessment_date", "lead_agency"], unit = "days", at_most = 45 }]\n',
        "measure[0] ('eh').where.0: column 'lead_agency' is code, not a date",
    ),
    (
        "a measure of a dataset of your own with no date",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "flow"\ndescription = "Assessments."\n',
        "measure[0] ('eh').date: a measure of a dataset of your own needs the `date` that places a record",
    ),
    (
        "a stock with no end",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "stock"\ndescription = "Open."\n'
        + 'date = "assessment_date"\n',
        "measure[0] ('eh').end: a stock needs the `end` column that closes a record",
    ),
    (
        "a stock with no date",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "stock"\ndescription = "Open."\n'
        + 'end = "assessment_date"\n',
        "measure[0] ('eh').date: a measure of a dataset of your own needs the `date`",
    ),
    (
        "a stock closed by a column its dataset lacks",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "stock"\ndescription = "Open."\n'
        + 'date = "assessment_date"\nend = "closed_date"\n',
        "measure[0] ('eh').end: dataset early_help has no column 'closed_date'",
    ),
    (
        "a stock closed by a column that is not a date",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "stock"\ndescription = "Open."\n'
        + 'date = "assessment_date"\nend = "lead_agency"\n',
        "measure[0] ('eh').end: column 'lead_agency' is code, not a date",
    ),
    (
        "an end on a count of children",
        local_dataset()
        + '[[measure]]\nid = "eh"\ndataset = "early_help"\ntiming = "children"\ndescription = "Children."\n'
        + 'date = "assessment_date"\nend = "assessment_date"\n',
        "measure[0] ('eh').end: only a stock has an `end`; this measure's timing is children",
    ),
    (
        "a count of children split into parts",
        LOCAL_KPI.format(id="k11")
        .replace('numerator = "referrals"', 'numerator = "missing_children"')
        .replace('"referrals"', '"missing_episodes"')
        + 'distinct_children = true\nbreakdown = "agency"\n',
        "kpi[0] ('k11').breakdown: a count of distinct children ('missing_children') is not split into parts",
    ),
    (
        "a dimension of one's own read from records, on a built-in dataset",
        OUTCOME_DIMENSION.format(datasets='["early_help", "referrals"]') + local_dataset(),
        "dimension[0] ('outcome').datasets: referrals cannot carry a dimension of your own read from records",
    ),
    (
        "a dimension of one's own read from records, on every dataset",
        OUTCOME_DIMENSION.format(datasets='"all"'),
        "('outcome').datasets: 'all' includes the built-in datasets, which cannot carry a dimension of your own",
    ),
    (
        "a dimension of one's own on a dataset of one's own without its column",
        OUTCOME_DIMENSION.format(datasets='["early_help"]') + local_dataset(),
        "('outcome').datasets: dataset 'early_help' has no stored column 'outcome'",
    ),
    (
        "a count of children of records about no child",
        (
            '[[measure]]\nid = "lado_people"\ndataset = "lado_allegations"\ntiming = "children"\n'
            'date = "referral_date"\ndescription = "People"\n'
        ),
        (
            "measure[0] ('lado_people').timing: dataset lado_allegations has records about no child, so it counts "
            "no children"
        ),
    ),
    (
        "a following record of records about no child",
        (
            '[[measure]]\nid = "lado_then_referral"\ndataset = "lado_allegations"\ntiming = "flow"\n'
            'date = "referral_date"\nwhere = [{ followed_by = "referrals", within_days = 7 }]\ndescription = "x"\n'
        ),
        (
            "measure[0] ('lado_then_referral').where.0.followed_by: lado_allegations and referrals are not both "
            "records about a child"
        ),
    ),
    (
        "a repeat without how far back it looks",
        (
            '[[measure]]\nid = "da_repeat"\ndataset = "police_da_incidents"\ntiming = "flow"\ndate = "incident_at"\n'
            'where = [{ repeat_of = "household_id" }]\ndescription = "Repeats"\n'
        ),
        "measure[0] ('da_repeat').where.0: Value error, a repeat is tested with `repeat_of` and `within_months` alone",
    ),
    (
        "an unknown layout",
        local_dataset().replace('layout = "child_records"', 'layout = "flat"'),
        "dataset[0] ('early_help').layout: no layout 'flat'",
    ),
    (
        "a KPI under an undeclared priority",
        LOCAL_KPI.format(id="k3") + 'priority = "neglect"\n',
        "local.toml: kpi[0] ('k3').priority: no priority 'neglect'; known: front_door, protecting_children",
    ),
    (
        "a share under a priority",
        LOCAL_KPI.format(id="k4").replace(
            'numerator = "referrals"', 'numerator = "referrals"\nbreakdown = "agency"'
        )
        + 'priority = "front_door"\n',
        "kpi[0] ('k4').priority: 'k4' is a share of a whole, which has no single figure to put in the scorecard",
    ),
    (
        "a priority clashing with a built-in one",
        '[[priority]]\nid = "missing"\ntitle = "Missing children"\n',
        "local.toml: priority[0] ('missing'): id clashes with a built-in priority: choose another id",
    ),
    (
        "a priority no KPI names",
        '[[priority]]\nid = "neglect"\ntitle = "Neglect"\n',
        "local.toml: priority[0] ('neglect'): no KPI names this priority (a KPI's `priority`), so it would be empty",
    ),
    (
        "an agency no partner account can name",
        LOCAL_KPI.format(id="k6") + 'agency = "Fire service"\n',
        "kpi[0] ('k6').agency: 'Fire service' is not an agency; use one of Anonymous, Health, Housing,",
    ),
    (
        "an agency spelt otherwise than the agencies are",
        LOCAL_KPI.format(id="k7") + 'agency = "police"\n',
        "kpi[0] ('k7').agency: spell it 'Police'",
    ),
    (
        "a priority without a title",
        '[[priority]]\nid = "neglect"\n',
        "local.toml: priority[0] ('neglect').title: Field required",
    ),
]


@pytest.mark.parametrize(
    "text, expected", [(text, expected) for _, text, expected in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_each_kind_of_mistake_is_refused_with_where_and_why(tmp_path, text, expected):
    with pytest.raises(ModelError) as refused:
        read_model(write(tmp_path / "model", text))
    assert expected in str(refused.value), str(refused.value)


def test_every_mistake_in_a_folder_is_listed_at_once(tmp_path):
    folder = write(tmp_path / "model", LOCAL_KPI.format(id="referrals"), "a.toml")
    write(folder, "[[widget]]\n", "b.toml")
    with pytest.raises(ModelError) as refused:
        read_model(folder)
    assert [p.split(":")[0] for p in refused.value.problems] == ["a.toml", "b.toml"]


def test_a_local_kpi_can_join_the_executive_set_and_check_says_the_summary_changes(tmp_path):
    from warehouse.model.changes import affected_kpis, affected_pages, changes

    before = read_model()
    after = read_model(
        write(tmp_path / "model", LOCAL_KPI.format(id="local_referrals") + "executive = true\n")
    )
    assert after.executive_kpis == (*before.executive_kpis, "local_referrals")
    found = changes(before, after)
    kpis = affected_kpis(before, after, found)
    assert [str(c) for c in found] == ["kpi local_referrals: added"] and kpis == ["local_referrals"]
    assert affected_pages(before, after, found, kpis) == ["Executive summary (/)"]


def test_a_local_kpi_under_a_priority_reaches_the_scorecard_and_check_says_so(tmp_path):
    from warehouse.model.changes import affected_kpis, affected_pages, changes

    before = read_model()
    after = read_model(
        write(
            tmp_path / "model",
            '[[priority]]\nid = "neglect"\ntitle = "Neglect"\n'
            + LOCAL_KPI.format(id="local_referrals")
            + 'priority = "neglect"\n',
        )
    )
    assert [p.id for p in after.priorities] == [*(p.id for p in before.priorities), "neglect"]
    assert after.priority_kpis("neglect") == ("local_referrals",)
    found = changes(before, after)
    kpis = affected_kpis(before, after, found)
    assert [str(c) for c in found] == ["kpi local_referrals: added", "priority neglect: added"]
    assert affected_pages(before, after, found, kpis) == ["Scorecard (/scorecard)"]


def test_a_changed_dimension_reaches_every_kpi_of_the_datasets_that_carry_it(tmp_path):
    from warehouse.model.changes import affected_kpis, changes

    """A local dimension carried by one dataset reaches that dataset's KPIs only."""
    before = read_model()
    local = write(
        tmp_path / "model",
        '[[dimension]]\nid = "lead"\nlabel = "Lead"\ndescribe = "lead"\nurl_key = "lead"\n'
        'datasets = ["missing_episodes"]\nfrom_child = { column = "gender", labels = { F = "A" }, missing = "B" }\n',
    )
    after = read_model(local)
    kpis = affected_kpis(before, after, changes(before, after))
    assert sorted(kpis) == sorted(k.id for k in before.kpis.values() if k.dataset == "missing_episodes")
