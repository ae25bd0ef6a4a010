"""Civil-status register (Personenstandsregister): entries, blocking notes, retrieval log."""
from pathlib import Path

from ..base import Plugin
from . import models, seed
from .system import CivilRegister

PLUGIN = Plugin(
    "civil_register",
    lambda ctx: CivilRegister(ctx.sessions),
    models=models,
    migrations=Path(__file__).parent / "migrations",
    seed=seed.seed,
)

__all__ = ["PLUGIN", "CivilRegister"]
