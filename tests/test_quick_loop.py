"""The quick loop, `make test-unit`, stays quick as tests are added: tests/conftest.py marks a test
slow by the fixtures and markers it uses, and a test that starts a process fails unless it is slow."""

from __future__ import annotations

import subprocess

import pytest

pytest_plugins = ["pytester"]


def test_a_quick_test_that_starts_a_process_fails_saying_to_mark_it_slow():
    with pytest.raises(AssertionError, match=r"starts a process \(\['true'\]\) but is not marked slow"):
        subprocess.run(["true"], check=True)


@pytest.mark.slow
def test_a_slow_test_may_start_a_process():
    assert subprocess.run(["true"], check=False).returncode == 0


def test_the_demo_warehouse_postgresql_chromium_and_reliability_make_a_test_slow(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # dash's, hypothesis's, ...: not needed here
    # Stand-ins named as the real session fixtures, which take seconds to build.
    pytester.makeconftest(
        """
        import pytest
        from tests.conftest import pytest_collection_modifyitems

        @pytest.fixture
        def demo_home():
            return "demo"

        @pytest.fixture
        def postgresql_server():
            return "server"

        @pytest.fixture
        def postgresql_url(postgresql_server):
            return "url"
        """
    )
    pytester.makeini(
        """
        [pytest]
        addopts = -p no:cacheprovider --strict-markers
        markers =
            slow: slow
            reliability: reliability
            browser: browser
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_on_the_demo(demo_home): pass
        def test_on_postgresql(postgresql_url): pass
        @pytest.mark.reliability
        def test_reliability(): pass
        @pytest.mark.browser
        def test_in_chromium(): pass
        def test_plain(tmp_path): pass
        """
    )
    quick = pytester.runpytest("-m", "not slow", "-v")
    quick.assert_outcomes(passed=1, deselected=4)
    quick.stdout.fnmatch_lines(["*::test_plain PASSED*"])
    pytester.runpytest("-m", "slow").assert_outcomes(passed=4, deselected=1)
