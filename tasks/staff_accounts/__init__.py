"""Local staff accounts for small towns without an identity provider: argon2 password hashes and a
second factor (TOTP); no plain password is stored or logged."""
from pathlib import Path

from ..base import Plugin
from . import models
from .system import AccountExists, StaffAccounts

PLUGIN = Plugin(
    "staff_accounts",
    lambda ctx: StaffAccounts(ctx.sessions),
    models=models,
    migrations=Path(__file__).parent / "migrations",
)

__all__ = ["PLUGIN", "AccountExists", "StaffAccounts"]
