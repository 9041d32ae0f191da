"""The reviews and audits page (app/pages/reviews.py) through HTTP, as each role calls it: a partner
limited to the police reads every review of Newcastle but only the police's actions, and changes
nothing; an executive reads every review of their LAs and signs one off but records nothing; the
data team records reviews, findings, results (typed and uploaded) and actions within its LAs; an
admin sees all. The comparison with the previous audit is worked out by hand (43 of 50 is 86%,
against 39 of 50, 78%: up 8.0 points), and the downloads are read back with csv and openpyxl."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from appstate.actions import Action, Status, change_status
from appstate.db import session
from appstate.reviews import ResultRow, Review, add_finding, add_review, raise_review_action, record_results
from tests.app.serving import TEST_ADMIN, find_component, page_layout, signed_in
from tests.app.test_actions_page import _call
from tests.app.test_risks_page import _text

CITY = "E08000021"  # Newcastle: the scoped test accounts' LA
OTHER_LA = "E06000057"
LONG_AGO = date(2020, 1, 31)  # overdue whatever day the tests run
LATER = date(2099, 12, 31)
BOTH = {"reviews-filter-status.value": ["open", "signed off"]}


@pytest.fixture
def reviews(demo_copy):
    """Newcastle: the 2025 audit (thresholds 39 of 50), the 2026 audit (thresholds 43 of 50, a
    police action overdue and a health action), a rapid review with two findings; Northumberland:
    an audit of its own."""
    with session() as db:
        first = add_review(
            db, CITY, "Front door audit 2025", "multi-agency audit", date(2025, 5, 1), "Police", "chair"
        )
        record_results(db, first.id, [ResultRow("Thresholds appropriate", 50, 39)], "chair")
        second = add_review(
            db,
            CITY,
            "Front door audit 2026",
            "multi-agency audit",
            date(2026, 5, 1),
            "Police",
            "chair",
            "thresholds",
        )
        record_results(
            db,
            second.id,
            [ResultRow("thresholds: appropriate", 50, 43), ResultRow("Voice of the child", 20, 15)],
            "chair",
        )
        police = raise_review_action(
            db, second.id, "Police triage", "Police", "DI", LONG_AGO, "=1+1", "chair"
        )
        health = raise_review_action(
            db, second.id, "Health attendance", "Health", "Nurse", LATER, "90%", "chair"
        )
        rapid = add_review(
            db,
            CITY,
            "Rapid review Child T",
            "rapid review",
            date(2026, 2, 1),
            "Police",
            "chair",
            "neglect; consent",
        )
        add_finding(db, rapid.id, "Strategy discussions were late", "chair")
        add_finding(db, rapid.id, "The threshold document was not used", "chair")
        north = add_review(
            db, OTHER_LA, "North audit", "multi-agency audit", date(2026, 1, 1), "Police", "chair"
        )
    return {
        "first": first.id,
        "second": second.id,
        "rapid": rapid.id,
        "north": north.id,
        "police": police.id,
        "health": health.id,
    }


@pytest.fixture
def app(reviews):
    from app.main import create_app

    app = create_app()
    app.server.test_client().get("/login")  # Dash sets up its callback map on the first request
    return app


def _client(app, username: str):
    return signed_in(app.server.test_client(), username)


def _listed(app, client) -> dict:
    return _call(app, client, "reviews-filter-status.value", BOTH | {"review-changed.data": 0})


def _chosen(app, client, review_id: int) -> dict:
    return _call(
        app, client, "review-chosen.value", {"review-chosen.value": review_id, "review-changed.data": 0}
    )


def _csv_rows(app, client) -> list[dict[str, str]]:
    download = _call(app, client, "reviews-csv.n_clicks", BOTH | {"reviews-csv.n_clicks": 1})
    return list(csv.DictReader(io.StringIO(download["reviews-download"]["data"]["content"])))


def _workbook(app, client):
    download = _call(app, client, "reviews-xlsx.n_clicks", BOTH | {"reviews-xlsx.n_clicks": 1})
    data = download["reviews-download"]["data"]
    assert data["filename"] == "reviews.xlsx" and data["base64"]
    return load_workbook(io.BytesIO(base64.b64decode(data["content"])))


def _message(answer: dict) -> str:
    return answer["review-status-message"]["children"]


def test_each_role_lists_and_exports_only_the_reviews_of_its_las(app):
    titles = {"Front door audit 2025", "Front door audit 2026", "Rapid review Child T", "North audit"}
    city = titles - {"North audit"}
    for username, expected in (
        ("test-partner", city),  # a review is the partnership's: a partner reads every one of their LA
        ("test-exec", city),
        ("test-data", city),
        (TEST_ADMIN, titles),
    ):
        client = _client(app, username)
        shown = str(_listed(app, client)["reviews-list"])
        assert {t for t in titles if t in shown} == expected, username
        assert {row["Review"] for row in _csv_rows(app, client)} == expected, username
        assert {
            r[2] for r in _workbook(app, client)["Reviews"].iter_rows(min_row=2, values_only=True)
        } == expected


def test_the_list_counts_findings_and_the_actions_the_viewer_may_see_with_their_flags(app, reviews):
    rows = {row["Review"]: row for row in _csv_rows(app, _client(app, "test-exec"))}
    audit = rows["Front door audit 2026"]
    assert (
        audit["Findings"],
        audit["Actions"],
        audit["Open actions"],
        audit["Overdue"],
        audit["Drifting"],
    ) == (
        "0",
        "2",
        "2",
        "1",  # the police action, due in 2020
        "0",  # both raised today
    )
    assert (rows["Rapid review Child T"]["Findings"], rows["Rapid review Child T"]["Themes"]) == (
        "2",
        "neglect; consent",
    )
    partner = {row["Review"]: row for row in _csv_rows(app, _client(app, "test-partner"))}
    assert (partner["Front door audit 2026"]["Actions"], partner["Front door audit 2026"]["Overdue"]) == (
        "1",
        "1",
    )
    listed = _listed(app, _client(app, "test-exec"))["reviews-list"]["children"]
    words = _text(listed)
    assert "2 (2 open)" in words and "1 overdue" in words
    assert [o["label"] for o in _listed(app, _client(app, "test-exec"))["review-chosen"]["options"]] == [
        f"{reviews['second']}: Front door audit 2026 (multi-agency audit, May 2026)",  # latest first
        f"{reviews['rapid']}: Rapid review Child T (rapid review, Feb 2026)",
        f"{reviews['first']}: Front door audit 2025 (multi-agency audit, May 2025)",
    ]


def test_an_audit_shows_its_results_against_the_previous_audit(app, reviews):
    shown = _chosen(app, _client(app, "test-partner"), reviews["second"])
    words = _text(shown["review-selected"]["children"])
    assert "0 findings, 1 action, 1 overdue, 0 drifting." in words  # the partner's police action only
    assert "Police triage" in words and "Health attendance" not in words
    start = words.index("thresholds: appropriate")
    assert words[start : start + 6] == [
        "thresholds: appropriate",
        "50",
        "43",
        "86%",
        "78% in Front door audit 2025 (01 May 2025)",
        "up 8.0 points from 78%",
    ]
    start = words.index("Voice of the child")
    assert words[start + 3 : start + 6] == ["75%", "none", "first audited"]
    assert shown["review-forms"]["style"] == {"display": "none"}  # the partner records nothing
    assert shown["review-sign-off-form"]["style"] == {"display": "none"}
    data = _chosen(app, _client(app, "test-data"), reviews["second"])
    assert data["review-forms"]["style"] == {} and data["review-results-forms"]["style"] == {}
    assert [o["props"]["value"] for o in data["review-criteria-used"]["children"]] == [
        "Thresholds appropriate",  # its first wording
        "Voice of the child",
    ]
    rapid = _chosen(app, _client(app, "test-data"), reviews["rapid"])
    assert rapid["review-results-forms"]["style"] == {"display": "none"}  # results are an audit's
    assert "Strategy discussions were late" in _text(rapid["review-selected"]["children"])
    north = _chosen(app, _client(app, "test-data"), reviews["north"])  # another LA's: not shown
    assert north["review-selected"]["children"] is None


def test_the_workbook_holds_the_findings_actions_and_the_comparison(app, reviews):
    book = _workbook(app, _client(app, "test-exec"))
    assert book.sheetnames == ["Reviews", "Findings", "Actions", "Audit results"]
    results = list(book["Audit results"].iter_rows(values_only=True))
    assert results[0] == (
        "No.",
        "Audit",
        "Criterion",
        "Cases audited",
        "Cases meeting it",
        "% met",
        "Previous % met",
        "Previous audit",
        "Change (points)",
        "Direction",
    )
    assert results[1:] == [
        (
            reviews["second"],
            "Front door audit 2026",
            "thresholds: appropriate",
            50,
            43,
            86,
            78,
            "Front door audit 2025 (01 May 2025)",
            8,
            "up 8.0 points from 78%",
        ),
        (
            reviews["second"],
            "Front door audit 2026",
            "Voice of the child",
            20,
            15,
            75,
            None,
            None,
            None,
            "first audited",
        ),
        (
            reviews["first"],
            "Front door audit 2025",
            "Thresholds appropriate",
            50,
            39,
            78,
            None,
            None,
            None,
            "first audited",
        ),
    ]
    actions = list(book["Actions"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3], r[8]) for r in actions] == [
        (reviews["police"], "Police triage", "overdue"),
        (reviews["health"], "Health attendance", None),
    ]
    assert [r[2:] for r in book["Findings"].iter_rows(min_row=2, values_only=True)] == [
        (1, "Strategy discussions were late"),
        (2, "The threshold document was not used"),
    ]


ADD = {
    "review-add.n_clicks": 1,
    "review-la.value": CITY,
    "review-kind.value": "multi-agency audit",
    "review-title.value": "Neglect audit",
    "review-date.value": "2026-09-01",
    "review-agency.value": "Health",
    "review-themes.value": "neglect, thresholds",
    "review-changed.data": 0,
}


def test_only_the_data_team_and_admins_record_and_the_server_refuses_the_rest(app, reviews):
    for username in ("test-partner", "test-exec"):
        client = _client(app, username)
        role = "partner" if username == "test-partner" else "executive"
        refused = f"Not done: {username} ({role}) may not record reviews, findings, audit results and their actions."
        assert _message(_call(app, client, "review-add.n_clicks", ADD)) == refused
        finding = {
            "review-finding-add.n_clicks": 1,
            "review-chosen.value": reviews["rapid"],
            "review-finding.value": "x",
        }
        assert _message(_call(app, client, "review-finding-add.n_clicks", finding)) == refused
        result = {
            "review-result-add.n_clicks": 1,
            "review-chosen.value": reviews["second"],
            "review-criterion.value": "Plans",
            "review-cases.value": "10",
            "review-met.value": "9",
        }
        assert _message(_call(app, client, "review-result-add.n_clicks", result)) == refused
    with session() as db:
        assert len(db.get(Review, reviews["rapid"]).findings) == 2
        assert len(db.get(Review, reviews["second"]).results) == 2
    data = _client(app, "test-data")
    added = _call(app, data, "review-add.n_clicks", ADD)
    assert _message(added).startswith("Added review ") and added["review-changed"]["data"] == 1
    assert _message(_call(app, data, "review-add.n_clicks", ADD | {"review-la.value": OTHER_LA})) == (
        "Not done: choose a local authority in your scope."
    )
    assert _message(_call(app, data, "review-add.n_clicks", ADD | {"review-date.value": "1 Sept"})) == (
        "Not done: Held or published '1 Sept' is not a date: use YYYY-MM-DD or DD/MM/YYYY."
    )
    finding = {
        "review-finding-add.n_clicks": 1,
        "review-chosen.value": reviews["north"],
        "review-finding.value": "x",
    }
    assert _message(_call(app, data, "review-finding-add.n_clicks", finding)) == (
        "Not done: choose a review in the list first."  # another LA's review is not the data team's
    )


def test_the_data_team_records_a_result_by_hand_and_it_is_compared(app, reviews):
    data = _client(app, "test-data")
    typed = {
        "review-result-add.n_clicks": 1,
        "review-chosen.value": reviews["second"],
        "review-criterion.value": "Plans reviewed on time",
        "review-cases.value": "30",
        "review-met.value": "27",
        "review-changed.data": 4,
    }
    answer = _call(app, data, "review-result-add.n_clicks", typed)
    assert _message(answer) == "Recorded Plans reviewed on time: 27 of 30, 90% met."
    assert answer["review-changed"]["data"] == 5 and answer["review-criterion"]["value"] == ""
    bad = typed | {"review-criterion.value": "Consent", "review-met.value": "31"}
    assert _message(_call(app, data, "review-result-add.n_clicks", bad)) == (
        "Not done: field 'Cases meeting it' (31) is more than the cases audited (30)."
    )
    again = typed | {"review-criterion.value": "THRESHOLDS appropriate"}
    assert _message(_call(app, data, "review-result-add.n_clicks", again)) == (
        "Not done: field 'Criterion': 'THRESHOLDS appropriate' is already recorded for this audit."
    )
    on_rapid = typed | {"review-chosen.value": reviews["rapid"]}
    assert "only a multi-agency audit has results" in _message(
        _call(app, data, "review-result-add.n_clicks", on_rapid)
    )
    with session() as db:
        assert [(r.criterion, r.met, r.cases) for r in db.get(Review, reviews["second"]).results][2:] == [
            ("Plans reviewed on time", 27, 30)
        ]


def _upload(rows: list[list[object]]) -> str:
    book = Workbook()
    sheet = book.active
    sheet.title = "Results"
    sheet.append(["Criterion", "Cases audited", "Cases meeting it"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return "data:application/octet-stream;base64," + base64.b64encode(out.getvalue()).decode()


def test_an_uploaded_template_is_loaded_all_or_nothing_with_its_errors_named(app, reviews):
    data = _client(app, "test-data")
    with session() as db:
        audit = add_review(db, CITY, "Audit 2027", "multi-agency audit", date(2027, 1, 10), "Police", "chair")
    sent = {"review-chosen.value": audit.id, "review-upload.filename": "audit.xlsx", "review-changed.data": 0}
    bad = _call(
        app,
        data,
        "review-upload.contents",
        sent | {"review-upload.contents": _upload([["Thresholds appropriate", 40, 36], ["Consent", 10, 11]])},
    )
    assert _message(bad) == (
        "Not done: sheet 'Results', row 3, field 'Cases meeting it' (11) is more than the cases audited (10)."
    )
    assert bad["review-upload"]["contents"] is None  # emptied, to send the corrected file
    with session() as db:
        assert db.get(Review, audit.id).results == []  # the good row 2 was not kept either
    good = _call(
        app,
        data,
        "review-upload.contents",
        sent | {"review-upload.contents": _upload([["Thresholds appropriate", 40, 34], ["Consent", 10, 9]])},
    )
    assert _message(good) == "Recorded 2 results from audit.xlsx."
    shown = _text(_chosen(app, data, audit.id)["review-selected"]["children"])
    assert "down 1.0 points from 86%" in shown  # 34 of 40 is 85%, against 43 of 50 in May 2026
    assert "first audited" in shown  # consent


def test_the_template_downloads_with_the_criteria_already_used(app, reviews):
    data = _client(app, "test-data")
    sent = {"review-chosen.value": reviews["second"]}
    xlsx = _call(app, data, "review-template-xlsx.n_clicks", sent | {"review-template-xlsx.n_clicks": 1})
    got = xlsx["review-template-download"]["data"]
    assert got["filename"] == "audit-results.xlsx"
    book = load_workbook(io.BytesIO(base64.b64decode(got["content"])))
    assert [c.value for c in book["Criteria"]["A"]] == ["Thresholds appropriate", "Voice of the child"]
    csv_twin = _call(app, data, "review-template-csv.n_clicks", sent | {"review-template-csv.n_clicks": 1})
    assert (
        csv_twin["review-template-download"]["data"]["content"]
        == "Criterion,Cases audited,Cases meeting it\r\n"
    )


def test_actions_are_raised_from_a_review_and_an_executive_signs_it_off_once_they_are_done(app, reviews):
    data = _client(app, "test-data")
    raised = {
        "review-action-add.n_clicks": 1,
        "review-chosen.value": reviews["rapid"],
        "review-action-title.value": "Strategy discussions within 24 hours",
        "review-action-agency.value": "Police",
        "review-action-lead.value": "DCI public protection",
        "review-action-due.value": "2099-03-31",
        "review-action-measure.value": "95% within 24 hours",
        "review-action-kpis.value": ["icpc_15wd", "re_referral_12m"],
        "review-changed.data": 0,
    }
    answer = _call(app, data, "review-action-add.n_clicks", raised)
    assert _message(answer).endswith("it is tracked in the action tracker.")
    with session() as db:
        [action_id] = db.get(Review, reviews["rapid"]).action_ids
        # linked to the KPIs that would show it worked, so their cards count it
        assert db.get(Action, action_id).kpi_ids == ("icpc_15wd", "re_referral_12m")
    exec_client = _client(app, "test-exec")
    sign = {
        "review-sign-off.n_clicks": 1,
        "review-chosen.value": reviews["rapid"],
        "review-sign-off-date.value": "2099-04-30",
        "review-changed.data": 0,
    }
    assert _message(_call(app, exec_client, "review-sign-off.n_clicks", sign)) == (
        f"Not done: review {reviews['rapid']} has 1 open action ({action_id}): complete or drop them first."
    )
    assert _message(_call(app, _client(app, "test-partner"), "review-sign-off.n_clicks", sign)) == (
        "Not done: test-partner (partner) may not sign reviews off."
    )
    with session() as db:
        change_status(db, action_id, Status.COMPLETE, "police.lead")
    assert _message(_call(app, exec_client, "review-sign-off.n_clicks", sign)) == (
        f"Review {reviews['rapid']} signed off on 30 April 2099."
    )
    shown = _chosen(app, exec_client, reviews["rapid"])
    assert "Status: signed off on 30 April 2099 by test-exec." in " ".join(
        _text(shown["review-selected"]["children"])
    )
    assert shown["review-sign-off-form"]["style"] == {"display": "none"}


def test_the_page_offers_each_role_only_the_forms_it_may_use(app, reviews):
    for username, add_form, sign_off in (
        ("test-partner", False, False),
        ("test-exec", False, True),
        ("test-data", True, True),
    ):
        drawn = page_layout(_client(app, username), "/reviews", f"?review={reviews['second']}")
        assert (find_component(drawn, "review-add") is not None) is add_form, username
        assert (find_component(drawn, "review-finding-add") is not None) is add_form, username
        assert (find_component(drawn, "review-sign-off") is not None) is sign_off, username
        assert find_component(drawn, "review-chosen")["props"]["value"] == str(
            reviews["second"]
        )  # a native select gives text
