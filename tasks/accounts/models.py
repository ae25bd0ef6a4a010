"""Tables of the accounts system: one row per open session, keyed by the hash of its id."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import Tenant


class AccountsSession(Base):
    """The cookie holds a random id; only its SHA-256 is stored, so a copy of the table opens nothing."""

    __tablename__ = "accounts_session"
    __table_args__ = (
        Index("ix_accounts_session_expires_at", "expires_at"),
        Index("ix_accounts_session_principal_id", "principal_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    principal_id: Mapped[str] = mapped_column(String(200))
    tenant: Mapped[str] = mapped_column(Tenant)
    principal: Mapped[dict] = mapped_column(JSON)  # who signed in, as processes.access.Principal.to_dict
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the absolute end
    idle_seconds: Mapped[int] = mapped_column(Integer)  # ends after this long without a request
