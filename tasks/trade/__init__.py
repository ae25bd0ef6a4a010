"""Trade office: the trade register (Gewerberegister) with its retrieval log, the checks of a
notice (trade or liberal profession, permits, crafts) and the statistics calendar."""
from ..base import Plugin
from . import models, seed
from .system import Trade

PLUGIN = Plugin(
    "trade",
    lambda ctx: Trade(ctx.sessions),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "Trade"]
