"""Dog tax (Hundesteuer): households, dogs, tax tags, SEPA mandates and assessments."""
from .system import DogTax

__all__ = ["DogTax"]
