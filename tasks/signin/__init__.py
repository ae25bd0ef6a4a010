"""Sign-in records: the SAML assertions already accepted, so that none is accepted twice."""
from pathlib import Path

from ..base import Plugin
from . import models
from .system import SignIn

PLUGIN = Plugin("signin", lambda ctx: SignIn(ctx.sessions), models=models,
                migrations=Path(__file__).parent / "migrations")

__all__ = ["PLUGIN", "SignIn"]
