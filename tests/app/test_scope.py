"""Who may change what: one permission check before every app-state write."""

from __future__ import annotations

import pytest

from app.scope import Permission, PermissionDenied, Role, User, current_user, nav_groups, require


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (
            Role.EXECUTIVE,
            {
                "write commentary",
                "raise and close challenges",
                "answer challenges",
                "re-score risks",
                "sign reviews off",
                "record a meeting's decisions",
                "save views",
            },
        ),
        # commentary and answers only for its own agency's KPIs (test_partner_speaks_for_its_own_agency)
        (Role.PARTNER, {"write commentary", "answer challenges", "raise and update actions", "save views"}),
        (
            Role.DATA_TEAM,
            {
                "set targets",
                "write commentary",
                "answer challenges",
                "raise and update actions",
                "add and close risks",
                "re-score risks",
                "record reviews, findings, audit results and their actions",
                "sign reviews off",
                "create meetings, set their attendees and agendas, and raise their actions",
                "record a meeting's decisions",
                "save views",
            },
        ),
        (
            Role.ADMIN,
            {
                "set targets",
                "write commentary",
                "raise and close challenges",
                "answer challenges",
                "raise and update actions",
                "add and close risks",
                "re-score risks",
                "record reviews, findings, audit results and their actions",
                "sign reviews off",
                "create meetings, set their attendees and agendas, and raise their actions",
                "record a meeting's decisions",
                "save views",
                "read the audit log",
            },
        ),
    ],
)
def test_each_role_has_its_permissions(role, allowed):
    assert {p.value for p in Permission if User("u", role).can(p)} == allowed


def test_the_local_operator_is_named_by_the_environment(monkeypatch):
    monkeypatch.setenv("SAFEGUARD_LOCAL_USER", "jo.bloggs")
    monkeypatch.setenv("SAFEGUARD_LOCAL_ROLE", "partner")
    assert current_user() == User("jo.bloggs", Role.PARTNER)
    with pytest.raises(PermissionDenied, match="jo.bloggs \\(partner\\) may not set targets"):
        require(Permission.SET_TARGETS)
    assert require(Permission.SAVE_VIEWS).username == "jo.bloggs"


def test_a_partner_posting_to_the_target_callback_sets_nothing(monkeypatch, tmp_path, page_module):
    from appstate.db import session
    from appstate.targets import all_targets

    monkeypatch.setenv("SAFEGUARD_HOME", str(tmp_path))
    monkeypatch.setenv("SAFEGUARD_LOCAL_ROLE", "partner")
    monkeypatch.setenv("SAFEGUARD_LOCAL_USER", "jo.partner")
    with pytest.raises(PermissionDenied, match=r"jo.partner \(partner\) may not open /targets"):
        page_module("targets").save_target(1, "re_referral_12m", "E08000021", "2025-04-01", 20, 5)
    with session() as db:
        assert all_targets(db, ("E08000021",)) == []


def test_a_scope_cuts_the_las_asked_for_to_its_own_and_leaves_the_figures_partnership_wide():
    from app.scope import Scope
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.suppression import SuppressionPolicy

    scope = Scope(
        la_codes=("E08000021",), policy=SuppressionPolicy(), agencies=("Police",), areas=("NCL-E", "NCL-W")
    )
    asked = Filters(("E06000057", "E08000021"), agency=("Health", "Police"), area=("NCL-N",), gender=("F",))
    # the figures: only the LAs are cut; a partner's agencies and areas do not limit them
    assert scope.restrict(asked) == Filters(
        ("E08000021",), agency=("Health", "Police"), area=("NCL-N",), gender=("F",)
    )
    # nothing asked for: the whole scope's LAs, every agency
    assert scope.restrict(Filters(la_codes=("E06000057",))) == Filters(("E08000021",))


def test_a_partner_lists_no_record_of_another_agencys_dataset_not_even_its_own_contacts():
    from app.scope import Scope
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy

    scope = Scope(
        la_codes=("E08000021",), policy=SuppressionPolicy(), agencies=("Police",), areas=("NCL-E", "NCL-W")
    )
    asked = Filters(("E06000057", "E08000021"), agency=("Health", "Police"), area=("NCL-N",), gender=("F",))
    # contacts are children's social care's records, police-made ones too: what became of a contact is
    # the LA's, and a count of them would be an exact small part of a suppressed figure
    assert scope.record_filters(asked, "contacts") is None
    assert scope.record_filters(Filters(("E08000021",), agency=("Police",)), "contacts") is None
    # the police's own dataset it lists, held to its LAs and areas
    assert scope.record_filters(asked, "police_da_incidents") == Filters(
        ("E08000021",), agency=("Health", "Police"), area=("NCL-E", "NCL-W"), gender=("F",)
    )
    # someone who sees exact figures lists every record in its LAs; a protected executive none
    exact = Scope(la_codes=("E08000021",), policy=NO_SUPPRESSION)
    assert exact.record_filters(asked, "contacts") == Filters(
        ("E08000021",), agency=("Health", "Police"), area=("NCL-N",), gender=("F",)
    )
    protected = Scope(la_codes=("E08000021",), policy=SuppressionPolicy())
    assert protected.record_filters(asked, "contacts") is None
    assert protected.record_filters(asked, "police_da_incidents") is None


def test_a_partner_lists_every_record_of_a_dataset_its_agency_provides():
    from app.scope import Scope
    from tests.helpers import early_help_example
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.suppression import SuppressionPolicy
    from warehouse.model.files import ModelFile, model_of_load, read_model

    # the docs' early help dataset, provided by Health; its records carry a lead agency of their own
    text = early_help_example().replace(
        "carries_open_records = true\n", 'carries_open_records = true\nagency = "Health"\n', 1
    )
    assert 'agency = "Health"' in text
    with model_of_load(read_model([ModelFile("early_help.toml", text)])):
        asked = Filters(("E08000021",), agency=("Schools",))
        health = Scope(la_codes=("E08000021",), policy=SuppressionPolicy(), agencies=("Health",))
        # the whole dataset is Health's: its lead-agency filter is left as asked
        assert health.record_filters(asked, "early_help") == asked
        police = Scope(la_codes=("E08000021",), policy=SuppressionPolicy(), agencies=("Police",))
        # the police list none of it, not even the episodes the police lead
        assert police.record_filters(Filters(("E08000021",), agency=("Police",)), "early_help") is None
        # contacts are not Health's dataset: Health lists none
        assert health.record_filters(asked, "contacts") is None


def test_a_datasets_agency_is_checked_against_the_agency_groups():
    from tests.helpers import early_help_example
    from warehouse.model.files import ModelError, ModelFile, read_model

    text = early_help_example().replace(
        "carries_open_records = true\n", 'carries_open_records = true\nagency = "police"\n', 1
    )
    with pytest.raises(
        ModelError, match=r"early_help.toml: dataset\[0\] \('early_help'\).agency: spell it 'Police'"
    ):
        read_model([ModelFile("early_help.toml", text)])


def test_partner_speaks_for_its_own_agency():
    from app.scope import challenge_agency, may_answer, may_submit, may_write_commentary
    from warehouse.kpis.registry import get_kpi

    police = User("p", Role.PARTNER, agencies=("Police",))
    referrals = get_kpi("referrals")  # the local authority's work (the default agency)
    assert referrals.agency == "Local authority"
    assert not may_write_commentary(police, referrals)
    assert may_write_commentary(User("la", Role.PARTNER, agencies=("Local authority",)), referrals)
    assert may_write_commentary(User("e", Role.EXECUTIVE), referrals)
    assert may_write_commentary(User("a", Role.ADMIN), referrals)
    # a challenge about a KPI is answered by the KPI's agency, whoever it was raised against
    assert challenge_agency("referrals", "Police") == "Local authority"
    assert challenge_agency(None, "Police") == "Police"
    assert not may_answer(police, "referrals", "Police")
    assert may_answer(police, None, "Police")
    assert not may_answer(police, None, "Health")
    assert may_answer(User("d", Role.DATA_TEAM), "referrals", "Health")
    # submissions: a partner its own agency's, the data team any, an executive none
    assert may_submit(police, "Police") and not may_submit(police, "Health")
    assert may_submit(User("d", Role.DATA_TEAM), "Health")
    assert not may_submit(User("e", Role.EXECUTIVE), "Police")


def test_submitted_figures_are_listed_only_to_the_agency_that_submitted_them():
    from app.scope import Scope
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy

    asked = Filters(("E08000021",))
    # health_returns (submitted_health.toml) is Health's: its partners list the figures they sent
    health = Scope(la_codes=("E08000021",), policy=SuppressionPolicy(), agencies=("Health",))
    assert health.record_filters(asked, "health_returns") == asked
    # the police see them rounded on the cards, and cannot list them
    police = Scope(la_codes=("E08000021",), policy=SuppressionPolicy(), agencies=("Police",))
    assert police.record_filters(asked, "health_returns") is None
    # nor can a Health partner limited to areas: the figures are the whole LA's
    in_areas = Scope(
        la_codes=("E08000021",), policy=SuppressionPolicy(), agencies=("Health",), areas=("NCL-E",)
    )
    assert in_areas.record_filters(asked, "health_returns") is None
    assert (
        Scope(la_codes=("E08000021",), policy=NO_SUPPRESSION).record_filters(asked, "health_returns") == asked
    )


def test_the_navigation_groups_every_page_a_role_opens_into_four_menus(page_module):
    page_module("executive")  # the app and its pages registered
    admin = {
        group: [page["name"] for page in pages]
        for group, pages in nav_groups(User("a", Role.ADMIN, unsuppressed=True))
    }
    assert list(admin) == ["Board", "Dashboards", "Partnership work", "Data"]
    assert admin["Board"] == [
        "Executive summary",
        "Scorecard",
        "Exception report",
        "Meeting pack",
        "Meetings",
        "Annual report",
    ]
    assert admin["Dashboards"][0] == "Front door" and admin["Dashboards"][-1] == "Benchmarks"
    assert admin["Partnership work"] == [
        "Challenge log",
        "Action tracker",
        "Reviews and audits",
        "Risk register",
        "Submissions",
    ]
    assert admin["Data"] == ["Data and loads", "Targets", "Audit"]
    # A menu holds only the pages the role opens: a partner has no Data menu, and finds the submissions
    # page where the data team does.
    partner = dict(nav_groups(User("p", Role.PARTNER, agencies=("Police",))))
    assert "Data" not in partner
    assert [page["name"] for page in partner["Partnership work"]][-1] == "Submissions"
