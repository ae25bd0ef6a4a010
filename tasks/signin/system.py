"""Replay protection for sign-ins: an assertion (issuer and id) is accepted once. Kept in the
database, not in the process, so every web worker of an installation sees every accepted assertion."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction

from ..base import SpecialistSystem
from ..common import utcnow
from .models import SeenAssertion


class SignIn(SpecialistSystem):
    name = "signin"
    operations = ()  # no process calls it: the web app's sign-in does

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    def accept_once(self, issuer: str, assertion_id: str, expires_at: datetime, now: datetime | None = None) -> bool:
        """True the first time an assertion is presented, False for every replay before ``expires_at``.
        Expired entries are dropped on the way (their assertions fail the validity check instead)."""
        now = now or utcnow()
        key = hashlib.sha256(f"{issuer}\0{assertion_id}".encode()).hexdigest()
        try:
            with transaction(self.sessions) as session:
                session.execute(delete(SeenAssertion).where(SeenAssertion.expires_at < now))
                session.add(SeenAssertion(key=key, expires_at=max(expires_at, now)))
                session.flush()
        except IntegrityError:
            return False
        return True
