"""E-mail notifications over SMTP with an outbox that prevents double sending."""
from ..base import Plugin
from . import models, seed
from .system import Notifications, SmtpSettings

PLUGIN = Plugin(
    "notifications",
    lambda ctx: Notifications(ctx.sessions, ctx.settings.smtp),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "Notifications", "SmtpSettings"]
