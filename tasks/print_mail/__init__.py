"""Print and mail outbox (Druck- und Versandstraße): letters wait here until posted."""
from ..base import Plugin
from . import models, seed
from .system import JobsNotOpen, PrintMail

PLUGIN = Plugin(
    "print_mail",
    lambda ctx: PrintMail(ctx.sessions, ctx.systems["efile"]),
    needs=("efile",),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "JobsNotOpen", "PrintMail"]
