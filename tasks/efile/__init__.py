"""Electronic file (e-Akte): filing plan, case files, append-only documents."""
from .system import EFile

__all__ = ["EFile"]
