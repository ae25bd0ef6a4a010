"""Citizen portal: status history and postbox of a case."""
from .system import DocumentNotFound, MessageNotFound, Portal

__all__ = ["DocumentNotFound", "MessageNotFound", "Portal"]
