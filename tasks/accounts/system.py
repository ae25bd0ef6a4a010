"""The session store: create, look up, touch and end server-side sessions. Ids are hashed before
they reach the database; the callers (processes.sessions) decide lifetimes and pass the time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import as_utc
from engine.db import transaction

from ..base import SpecialistSystem
from .models import AccountsSession


@dataclass(frozen=True)
class StoredSession:
    principal: dict
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    idle_seconds: int


class SessionStore(SpecialistSystem):
    name = "accounts"
    operations = ()  # not for processes: only the web UI signs people in and out

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    def create(self, token_hash: str, principal: dict, now: datetime, expires_at: datetime, idle_seconds: int) -> None:
        with transaction(self.sessions) as session:
            session.add(AccountsSession(token_hash=token_hash, principal_id=principal["id"], tenant=principal["tenant"],
                                        principal=principal, created_at=now, last_seen_at=now, expires_at=expires_at,
                                        idle_seconds=idle_seconds))

    def find(self, token_hash: str) -> StoredSession | None:
        with self.sessions() as session:
            row = session.scalar(select(AccountsSession).where(AccountsSession.token_hash == token_hash))
            if row is None:
                return None
            return StoredSession(row.principal, as_utc(row.created_at), as_utc(row.last_seen_at),
                                 as_utc(row.expires_at), row.idle_seconds)

    def touch(self, token_hash: str, now: datetime) -> None:
        with transaction(self.sessions) as session:
            session.execute(update(AccountsSession).where(AccountsSession.token_hash == token_hash)
                            .values(last_seen_at=now))

    def delete(self, token_hash: str) -> None:
        with transaction(self.sessions) as session:
            session.execute(delete(AccountsSession).where(AccountsSession.token_hash == token_hash))

    def delete_of(self, principal_id: str) -> int:
        """Ends every session of one person (e.g. their account was closed)."""
        with transaction(self.sessions) as session:
            return session.execute(delete(AccountsSession).where(AccountsSession.principal_id == principal_id)).rowcount

    def delete_expired(self, now: datetime) -> int:
        """Removes sessions past their absolute end (idle ones go when next looked up)."""
        with transaction(self.sessions) as session:
            return session.execute(delete(AccountsSession).where(AccountsSession.expires_at <= now)).rowcount
