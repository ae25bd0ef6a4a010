"""Finance (Kasse/HKR): cash references, receivables, payments."""
from .system import Finance, UnknownCashReference

__all__ = ["Finance", "UnknownCashReference"]
