"""Vehicle register (Fahrzeugregister excerpt): plates and their holders."""
from ..base import Plugin
from . import models, seed
from .plates import normalise_plate
from .system import Vehicles

PLUGIN = Plugin(
    "vehicles",
    lambda ctx: Vehicles(ctx.sessions),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "Vehicles", "normalise_plate"]
