"""Citizen portal: status history and postbox of a case; letters by post for those without an account."""
from ..base import Plugin
from . import models
from .system import DELIVERIES, DocumentNotFound, MessageNotFound, Portal

PLUGIN = Plugin(
    "portal",
    lambda ctx: Portal(ctx.sessions, ctx.systems["efile"], ctx.systems["notifications"], ctx.systems["print_mail"],
                       ctx.systems["documents"]),
    needs=("efile", "notifications", "print_mail", "documents"),
    models=models,
)

__all__ = ["DELIVERIES", "PLUGIN", "DocumentNotFound", "MessageNotFound", "Portal"]
