"""Server-side sessions: who is signed in, for how long. A session id is random (secrets, 256
bits), new at every sign-in (no fixation), stored only as its SHA-256; it ends at logout, at its
absolute end, or after its idle time without a request (``processes.access.session_limits``)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from .access import Principal, session_limits

TOUCH_EVERY = timedelta(seconds=30)  # last-seen is written at most this often per session
TOKEN_BYTES = 32


class SessionService:
    def __init__(self, store, now, staff_absolute: timedelta, staff_idle: timedelta):
        """``store``: the accounts system (tasks.accounts); ``now``: the installation's clock."""
        self.store = store
        self.now = now
        self.staff_absolute = staff_absolute
        self.staff_idle = staff_idle

    def start(self, principal: Principal) -> str:
        """A new session; returns its id, which only the cookie keeps."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        absolute, idle = session_limits(principal, self.staff_absolute, self.staff_idle)
        now = self.now()
        self.store.create(_hash(token), principal.to_dict(), now, now + absolute, int(idle.total_seconds()))
        return token

    def resolve(self, token: str | None) -> Principal | None:
        """The signed-in person, or None (unknown, malformed, expired or idle id: the last two are deleted)."""
        if not token or len(token) > 200:
            return None
        token_hash = _hash(token)
        found = self.store.find(token_hash)
        if found is None:
            return None
        now = self.now()
        if now >= found.expires_at or now - found.last_seen_at >= timedelta(seconds=found.idle_seconds):
            self.store.delete(token_hash)
            return None
        if now - found.last_seen_at >= TOUCH_EVERY:
            self.store.touch(token_hash, now)
        return Principal.from_dict(found.principal)

    def end(self, token: str | None) -> None:
        if token and len(token) <= 200:
            self.store.delete(_hash(token))

    def end_all(self, principal_id: str) -> int:
        return self.store.delete_of(principal_id)

    def purge(self) -> int:
        return self.store.delete_expired(self.now())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
