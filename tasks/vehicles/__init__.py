"""Vehicle register (Fahrzeugregister excerpt): plates and their holders."""
from .plates import normalise_plate
from .system import Vehicles

__all__ = ["Vehicles", "normalise_plate"]
