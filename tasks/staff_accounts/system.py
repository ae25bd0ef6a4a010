"""Local staff accounts: created by the CLI, checked by the sign-in form."""
from __future__ import annotations

import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction

from ..base import SpecialistSystem
from ..common import utcnow
from .models import StaffAccount

TOTP_WINDOW = 1  # one 30-second step either side, for clocks that drift
MAX_FAILED_ATTEMPTS = 10  # then the account is locked until an administrator resets it
_HASHER = PasswordHasher()  # argon2id with the library's current parameters
_DUMMY_HASH = _HASHER.hash("amtsweg-no-such-account")  # unknown names cost as much as wrong passwords


class AccountExists(ValueError):
    pass


class StaffAccounts(SpecialistSystem):
    name = "staff_accounts"
    operations = ()

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def add(self, username: str, name: str, tenant: str, groups, roles, password: str) -> str:
        """Creates the account and returns its TOTP secret (shown once, for the authenticator app)."""
        secret = pyotp.random_base32()
        try:
            with transaction(self.sessions) as session:
                session.add(StaffAccount(username=username, name=name, tenant=tenant, groups=sorted(groups),
                                         roles=sorted(roles), password_hash=_HASHER.hash(password),
                                         totp_secret=secret, failed_attempts=0, created_at=utcnow()))
        except IntegrityError:
            raise AccountExists(f"Ein Konto „{username}“ gibt es schon.") from None
        return secret

    def verify(self, username: str, password: str, code: str, now: float | None = None) -> dict | None:
        """The account's data if password and current TOTP code fit (the code only once); else None."""
        now = time.time() if now is None else now
        with transaction(self.sessions) as session:
            account = session.scalars(select(StaffAccount).where(StaffAccount.username == username)
                                      .with_for_update()).one_or_none()
            if account is None:
                _check(_DUMMY_HASH, password)
                return None
            if account.failed_attempts >= MAX_FAILED_ATTEMPTS:
                return None
            step = _totp_step(account.totp_secret, code, now)
            if not _check(account.password_hash, password) or step is None or (
                    account.last_totp_step is not None and step <= account.last_totp_step):
                account.failed_attempts += 1
                return None
            account.failed_attempts, account.last_totp_step = 0, step
            if _HASHER.check_needs_rehash(account.password_hash):
                account.password_hash = _HASHER.hash(password)
            return {"username": account.username, "name": account.name, "tenant": account.tenant,
                    "groups": list(account.groups), "roles": list(account.roles)}


def _check(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _totp_step(secret: str, code: str, now: float) -> int | None:
    """The time step the code belongs to, within the window; None if it fits none."""
    totp = pyotp.TOTP(secret)
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == totp.digits):
        return None
    step = int(now) // totp.interval
    for candidate in range(step - TOTP_WINDOW, step + TOTP_WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None
