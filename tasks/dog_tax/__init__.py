"""Dog tax (Hundesteuer): households, dogs, tax tags, SEPA mandates and assessments."""
from pathlib import Path

from ..base import Plugin
from . import models, seed
from .system import DogTax

PLUGIN = Plugin(
    "dog_tax",
    lambda ctx: DogTax(ctx.sessions, ctx.systems["efile"]),
    needs=("efile",),
    models=models,
    migrations=Path(__file__).parent / "migrations",
    seed=seed.seed,
)

__all__ = ["PLUGIN", "DogTax"]
