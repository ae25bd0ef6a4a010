"""Electronic file (e-Akte): filing plan, case files, append-only documents."""
from ..base import Plugin
from . import models, seed
from .system import EFile

PLUGIN = Plugin(
    "efile",
    lambda ctx: EFile(ctx.sessions),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "EFile"]
