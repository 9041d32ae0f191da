"""The choice controls: what a select offers and gives back, and how a group of checkboxes is named."""

from __future__ import annotations

from dash import html

from app.components.choices import checklist, chosen, chosen_number, radios, select

KPIS = [{"label": "Referrals", "value": "referrals"}, {"label": "Contacts", "value": "contacts"}]


def test_a_select_with_an_empty_choice_offers_it_first_and_shows_it_until_something_is_chosen():
    control = select("kpi", KPIS, empty="Any KPI")
    assert control.options == [{"label": "Any KPI", "value": ""}, *KPIS]
    assert (control.value, control.placeholder) == ("", "Any KPI")


def test_a_select_with_a_prompt_does_not_offer_it_as_a_choice():
    control = select("agency", [{"label": "Police", "value": "Police"}], prompt="Choose an agency")
    assert control.options == [{"label": "Police", "value": "Police"}]
    assert (control.value, control.placeholder) == ("", "Choose an agency")


def test_a_select_keeps_the_value_it_is_given():
    assert select("kpi", KPIS, "contacts").value == "contacts"


def test_the_empty_choice_reads_as_none_and_numbers_come_back_from_their_text():
    assert chosen("") is None and chosen(None) is None and chosen("icpc_15wd") == "icpc_15wd"
    assert chosen_number("12") == 12 and chosen_number(7) == 7
    assert chosen_number("") is None and chosen_number(None) is None and chosen_number("12a") is None
    assert chosen_number(True) is None  # a bool is not a record's number


def test_checkboxes_and_radio_buttons_are_named_by_their_fieldsets_legend():
    group = checklist("status", "Status", [{"label": "open", "value": "open"}], ["open"], hint="any number")
    assert isinstance(group, html.Fieldset)
    legend, boxes = group.children
    assert isinstance(legend, html.Legend)
    assert legend.children[0] == "Status" and legend.children[1].children == " (any number)"
    assert (boxes.id, boxes.value) == ("status", ["open"])
    _legend, buttons = radios("view", "View", [{"label": "All", "value": "all"}], "all").children
    assert (buttons.id, buttons.value) == ("view", "all")
