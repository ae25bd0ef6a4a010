"""Finance (Kasse/HKR): cash references, receivables, payments."""
from ..base import Plugin
from . import models, seed
from .system import Finance, UnknownCashReference

PLUGIN = Plugin(
    "finance",
    lambda ctx: Finance(ctx.sessions),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "Finance", "UnknownCashReference"]
