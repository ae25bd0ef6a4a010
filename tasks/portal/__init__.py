"""Citizen portal: status history and postbox of a case."""
from .system import Portal

__all__ = ["Portal"]
