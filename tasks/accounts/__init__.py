"""Accounts: the server-side sessions of signed-in people (citizens, staff, operators)."""
from pathlib import Path

from ..base import Plugin
from . import models
from .system import SessionStore

PLUGIN = Plugin(
    "accounts",
    lambda ctx: SessionStore(ctx.sessions),
    models=models,
    migrations=Path(__file__).parent / "migrations",
)

__all__ = ["PLUGIN", "SessionStore"]
