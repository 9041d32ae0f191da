"""Failed sign-ins per client address: counted in app state, atomically, whatever arrives at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from appstate.db import session
from appstate.throttle import ADDRESS_FAILURES, claim_attempt, give_back_attempt

NOW = datetime(2026, 6, 1, 9, 0)


def test_attempts_sent_all_at_once_are_claimed_no_more_than_the_limit(appstate_url):
    sent = ADDRESS_FAILURES + 10
    start = threading.Barrier(sent)

    def attempt(_):
        with session(appstate_url) as db:
            start.wait()
            return claim_attempt(db, "203.0.113.9", NOW)

    with ThreadPoolExecutor(sent) as pool:
        claimed = list(pool.map(attempt, range(sent)))
    assert claimed.count(True) == ADDRESS_FAILURES == 20
    with session(appstate_url) as db:
        assert claim_attempt(db, "198.51.100.1", NOW)  # another address has its own count


def test_a_success_gives_its_attempt_back_and_a_new_window_starts_afresh(db):
    for _ in range(ADDRESS_FAILURES - 1):
        assert claim_attempt(db, "203.0.113.9", NOW)
    assert claim_attempt(db, "203.0.113.9", NOW)  # the 20th
    give_back_attempt(db, "203.0.113.9")  # it signed in
    assert claim_attempt(db, "203.0.113.9", NOW)
    assert not claim_attempt(db, "203.0.113.9", NOW + timedelta(minutes=14))
    assert claim_attempt(db, "203.0.113.9", NOW + timedelta(minutes=15))
