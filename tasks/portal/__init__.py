"""Citizen portal: status history and postbox of a case."""
from ..base import Plugin
from . import models
from .system import DocumentNotFound, MessageNotFound, Portal

PLUGIN = Plugin(
    "portal",
    lambda ctx: Portal(ctx.sessions, ctx.systems["efile"], ctx.systems["notifications"]),
    needs=("efile", "notifications"),
    models=models,
)

__all__ = ["PLUGIN", "DocumentNotFound", "MessageNotFound", "Portal"]
