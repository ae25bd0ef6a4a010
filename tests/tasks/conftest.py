"""Fixtures for the specialist systems."""
from __future__ import annotations

import pytest

from tasks.seed import seed_demo


@pytest.fixture
def sessions(db):
    return db.sessions


@pytest.fixture
def seeded(sessions):
    seed_demo(sessions)
    return sessions
