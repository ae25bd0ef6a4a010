"""Dog tax (Hundesteuer): households, dogs, tax tags, SEPA mandates and assessments."""
from ..base import Plugin
from . import models, seed
from .system import DogTax

PLUGIN = Plugin(
    "dog_tax",
    lambda ctx: DogTax(ctx.sessions, ctx.systems["efile"]),
    needs=("efile",),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "DogTax"]
