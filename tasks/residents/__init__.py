"""Residents' register (Melderegister) and the municipality's street directory with parking zones."""
from .system import Residents

__all__ = ["Residents"]
