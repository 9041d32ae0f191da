"""How hard the reliability suite pushes: a fast, deterministic mode inside `make test`, and the
full mode of `make reliability` (SAFEGUARD_RELIABILITY=full).

The fast mode must stay well under a minute and a half on a 2-core machine, as `make test` runs it
beside everything else; the full mode may take minutes.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FULL = os.environ.get("SAFEGUARD_RELIABILITY", "").strip().lower() == "full"
MODE = "full" if FULL else "fast"

# SIGKILLs at random points of a load (tests/reliability/test_kill_during_load.py).
KILLS = 20 if FULL else 3
KILL_SEED = 2026  # the same kill points on every run, so a failure can be replayed
# Rows of the big extract that loads are killed in and fill the disk with: enough for each phase
# of a load to last a while (in fast mode: a second to start, then about a third of a second each
# to read and validate, and to publish).
BIG_ROWS = 200_000 if FULL else 50_000

# No example database: CI starts from a clean clone, so a replay of earlier failures would differ
# between a laptop and CI. The fast mode is derandomized, so CI runs the same examples every time;
# the full mode explores afresh on each run (hypothesis prints how to reproduce anything it finds).
_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("reliability-fast", max_examples=50, derandomize=True, **_COMMON)
settings.register_profile("reliability-full", max_examples=500, **_COMMON)
# An example loaded through the whole pipeline costs about half a second (a publish, then a
# fingerprint of the warehouse); one read without publishing, or one parse, milliseconds.
settings.register_profile("reliability-fast-loads", max_examples=8, derandomize=True, **_COMMON)
settings.register_profile("reliability-full-loads", max_examples=300, **_COMMON)


def fuzz_settings(loads: bool = False) -> settings:
    """The hypothesis settings of this mode, for a property of pure parsers or of whole loads.

    Used as a decorator rather than loaded as the default profile, so that other tests' use of
    hypothesis is left alone."""
    return settings.get_profile(f"reliability-{MODE}{'-loads' if loads else ''}")
