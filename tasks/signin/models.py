"""Tables of the sign-in records."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class SeenAssertion(Base):
    """An accepted assertion until it expires; afterwards its own validity window refuses it anyway."""

    __tablename__ = "signin_assertion"
    __table_args__ = (Index("ix_signin_assertion_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of issuer and assertion id
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
