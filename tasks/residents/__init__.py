"""Residents' register (Melderegister) and the municipality's street directory with parking zones."""
from ..base import Plugin
from . import models, seed
from .system import Residents

PLUGIN = Plugin(
    "residents",
    lambda ctx: Residents(ctx.sessions),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "Residents"]
