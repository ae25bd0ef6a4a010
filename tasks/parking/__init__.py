"""Resident parking permits (Bewohnerparkausweise): one valid permit per resident and vehicle."""
from .system import Parking

__all__ = ["Parking"]
