"""Trade office rules: trade or liberal profession, permits, crafts; the statistics calendar."""
from .system import Trade

__all__ = ["Trade"]
