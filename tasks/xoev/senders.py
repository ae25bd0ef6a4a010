"""Transports to the recipients, pluggable by name (the municipality's settings name one per
recipient). Same shape as the other pluggable capabilities: a contract, a registry, the
built-in implementation and a deliberately failing one for tests.

A sender is called with an open session (the mailbox lives in our own database) and must
either deliver or raise ``TemporaryFailure``; the caller logs every attempt."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.operations import TemporaryFailure

from ..common import utcnow
from .models import XoevMailbox, XoevMessage


class Sender(Protocol):
    def send(self, session: Session, message: XoevMessage) -> str:
        """Delivers the message; returns a short note for the delivery log."""


class MailboxSender:
    """Built in: the message lands in the recipient's mailbox table (a DVDV/OSCI gateway or
    FIT-Connect adapter fetches it from there)."""

    def send(self, session: Session, message: XoevMessage) -> str:
        existing = session.scalar(select(XoevMailbox).where(XoevMailbox.message_id == message.id))
        if existing is None:  # handed over before the attempt could be logged: not twice
            filename = f"{message.recipient}/{message.message_uuid}.xml"
            session.add(XoevMailbox(tenant=message.tenant, recipient=message.recipient, message_id=message.id,
                                    filename=filename, xml=message.xml, stored_at=utcnow()))
            return f"im Postfach {filename}"
        return f"bereits im Postfach {existing.filename}"


@dataclass
class FailingSender:
    """For tests and drills: fails for the given recipients (all if None), hands others on."""

    recipients: frozenset[str] | None = None
    otherwise: Sender | None = None

    def send(self, session: Session, message: XoevMessage) -> str:
        if self.recipients is None or message.recipient in self.recipients:
            raise TemporaryFailure(f"Empfänger {message.recipient} nicht erreichbar (Testtransport)")
        return (self.otherwise or MailboxSender()).send(session, message)


def default_senders() -> dict[str, Sender]:
    return {"postfach": MailboxSender(), "fehler": FailingSender()}
