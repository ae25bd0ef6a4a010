"""Civil-status register (Personenstandsregister): entries, blocking notes, retrieval log."""
from .system import CivilRegister

__all__ = ["CivilRegister"]
