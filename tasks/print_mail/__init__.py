"""Print and mail outbox (Druck- und Versandstraße): letters wait here until posted."""
from .system import JobsNotOpen, PrintMail

__all__ = ["JobsNotOpen", "PrintMail"]
