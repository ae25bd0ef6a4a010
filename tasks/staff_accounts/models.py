"""The table of local staff accounts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import Tenant


class StaffAccount(Base):
    __tablename__ = "staff_account"
    __table_args__ = (UniqueConstraint("username", name="uq_staff_account_username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    tenant: Mapped[str] = mapped_column(Tenant)
    groups: Mapped[list] = mapped_column(JSON)
    roles: Mapped[list] = mapped_column(JSON)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters and salt
    totp_secret: Mapped[str] = mapped_column(String(64))  # base32
    last_totp_step: Mapped[int | None] = mapped_column(Integer)  # a code counts once
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
