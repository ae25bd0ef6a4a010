"""Civil-status register (Personenstandsregister): entries, blocking notes, retrieval log."""
from ..base import Plugin
from . import models, seed
from .system import CivilRegister

PLUGIN = Plugin(
    "civil_register",
    lambda ctx: CivilRegister(ctx.sessions),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "CivilRegister"]
