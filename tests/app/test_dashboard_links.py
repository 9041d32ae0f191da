"""A dashboard's link is served with every filter written out (app/callbacks/filters.py,
complete_dashboard_link): the server sends the browser to the completed link, so that the page is
drawn once rather than once as asked and again once the filters complete it."""

from __future__ import annotations

import pytest

from app.view import LAST_LAS_COOKIE
from tests.app.serving import TEST_ADMIN, signed_in

CITY, OTHER_LA = "E08000021", "E06000057"  # the scoped test accounts' LA; one they do not cover
# The demo is built as at 25 November 2026: its latest complete month is October 2026.
DEFAULT_PERIOD = "R12-2026-10"


@pytest.fixture
def client(demo_app):
    return demo_app.server.test_client()


def test_a_dashboard_link_without_its_filters_is_sent_to_the_completed_link(client):
    signed_in(client, "test-exec")
    response = client.get("/front-door")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/front-door?period={DEFAULT_PERIOD}&la={CITY}"
    # the completed link is served as it is, and so is one that names every filter itself
    assert client.get(f"/front-door?period={DEFAULT_PERIOD}&la={CITY}").status_code == 200
    assert client.get(f"/s47-icpc?period=2025-26&la={CITY}").status_code == 200
    # a filter the link names is kept; what it lacks is added
    assert (
        client.get(f"/cp-plans?la={CITY}").headers["Location"]
        == f"/cp-plans?period={DEFAULT_PERIOD}&la={CITY}"
    )


def test_a_link_naming_no_la_is_completed_with_the_last_la_this_browser_chose(client):
    signed_in(client, TEST_ADMIN)  # the admin covers both demo LAs
    client.set_cookie(LAST_LAS_COOKIE, OTHER_LA, domain="localhost")
    assert client.get("/missing").headers["Location"] == f"/missing?period={DEFAULT_PERIOD}&la={OTHER_LA}"


def test_a_link_asking_for_more_than_the_account_covers_is_served_as_it_is_to_say_so(client):
    signed_in(client, "test-exec")
    assert client.get(f"/front-door?la={OTHER_LA}").status_code == 200


def test_pages_without_filters_and_requests_without_a_session_are_not_sent_on(client):
    signed_in(client, "test-data")
    assert client.get("/data").status_code == 200
    assert client.get("/meetings").status_code == 200
    client.delete_cookie("safeguard_session")
    anonymous = client.get("/front-door")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
