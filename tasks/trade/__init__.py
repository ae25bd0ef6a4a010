"""Trade office rules: trade or liberal profession, permits, crafts; the statistics calendar."""
from ..base import Plugin
from .system import Trade

PLUGIN = Plugin(
    "trade",
    lambda ctx: Trade(),
)

__all__ = ["PLUGIN", "Trade"]
