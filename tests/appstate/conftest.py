from __future__ import annotations

import pytest

from appstate.db import session


@pytest.fixture
def db(tmp_path):
    """A fresh app-state database (SQLite in a temporary folder)."""
    with session(f"sqlite:///{tmp_path / 'appstate.sqlite'}") as db:
        yield db
