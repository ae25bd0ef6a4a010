"""XÖV messages for trade notices (XGewerbeanzeige 2.2): per-recipient filtering, schema check,
outbox with delivery log, pluggable transports, the monthly statistics batch."""
from .system import Xoev

__all__ = ["Xoev"]
