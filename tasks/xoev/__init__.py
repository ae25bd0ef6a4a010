"""XÖV messages for trade notices (XGewerbeanzeige 2.2): per-recipient filtering, schema check,
outbox with delivery log, pluggable transports, the monthly statistics batch."""
from ..base import Plugin
from . import models, seed
from .system import Xoev

PLUGIN = Plugin(
    "xoev",
    lambda ctx: Xoev(ctx.sessions, schema_path=ctx.settings.xgewerbeanzeige_xsd),
    models=models,
    seed=seed.seed,
)

__all__ = ["PLUGIN", "Xoev"]
