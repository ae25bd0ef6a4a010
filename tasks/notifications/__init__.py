"""E-mail notifications over SMTP with an outbox that prevents double sending."""
from .system import Notifications, SmtpSettings

__all__ = ["Notifications", "SmtpSettings"]
