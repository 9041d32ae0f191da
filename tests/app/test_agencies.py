"""Who may own a risk or lead an action: the partnership's agencies, not every referral source."""

from __future__ import annotations

from app.agencies import agencies_in_data, agency_choices
from app.filters import filter_options
from app.scope import Scope
from warehouse.kpis.suppression import NO_SUPPRESSION

NEWCASTLE = "E08000021"


def test_the_agencies_offered_are_the_partnerships_not_people_or_no_one(demo_app):
    # The demo's referrals come from every group of referral_source.csv; Anonymous, Individual and
    # Unknown are sources, not agencies.
    assert agency_choices(Scope((NEWCASTLE,), NO_SUPPRESSION)) == [
        "Local authority",
        "Health",
        "Housing",
        "Other",
        "Other legal",
        "Police",
        "Schools and education",
    ]


def test_a_challenge_is_put_to_an_agency_the_data_came_from(demo_app):
    assert agencies_in_data(filter_options((NEWCASTLE,))) == [
        "Health",
        "Housing",
        "Local authority",
        "Other",
        "Other legal",
        "Police",
        "Schools and education",
    ]


def test_a_partner_is_offered_its_own_agencies_only(demo_app):
    assert agency_choices(Scope((NEWCASTLE,), NO_SUPPRESSION, agencies=("Police",))) == ["Police"]
