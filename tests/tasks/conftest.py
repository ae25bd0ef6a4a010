"""Fixtures for the specialist systems."""
from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from processes.bootstrap import seed_demo
from tests.conftest import TEST_PLUGINS

from .helpers import Collector, free_port


@pytest.fixture
def sessions(db):
    return db.sessions


@pytest.fixture
def seeded(sessions):
    seed_demo(sessions, TEST_PLUGINS)
    return sessions


@pytest.fixture
def smtp():
    """A local SMTP server for one test: yields (controller, collector)."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, collector
    controller.stop()
