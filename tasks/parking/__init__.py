"""Resident parking permits (Bewohnerparkausweise): one valid permit per resident and vehicle."""
from ..base import Plugin
from . import models, seed
from .system import Parking

PLUGIN = Plugin(
    "parking",
    lambda ctx: Parking(ctx.sessions, ctx.systems["efile"]),
    needs=("efile",),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "Parking"]
