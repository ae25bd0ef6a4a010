"""The contract between the engine's job executor and the specialist systems.

A service task names an operation ``<system>.<method>`` (for example
``civil_register.lookup_entry``). Each specialist system is one class with one method per
operation; a municipality replaces a built-in system by registering its own class under the
same system name (see ``tasks.registry``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class ServiceCall:
    """What an operation receives. ``idempotency_key`` stays the same across every retry
    of one service-task execution: an operation with an effect must perform it once per key."""

    operation: str
    params: dict[str, Any]
    idempotency_key: str
    tenant: str
    instance_id: str
    business_key: str | None = None
    attempt: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


class AdapterError(Exception):
    """A technical failure (peer unreachable, timeout): the engine retries with backoff and
    opens an incident when the retries are used up."""


class BusinessError(Exception):
    """A business outcome that the process models as a BPMN error (boundary error event),
    for example a register entry that does not exist. Not retried."""

    def __init__(self, code: str, message: str = "", payload: dict[str, Any] | None = None):
        super().__init__(message or code)
        self.code = code
        self.payload = payload or {}


class SpecialistSystem:
    """Base class for one specialist system. ``name`` is the operation prefix,
    ``operations`` the method names offered as operations. Each method takes a
    ``ServiceCall`` and returns a JSON-serialisable dict."""

    name: ClassVar[str]
    operations: ClassVar[tuple[str, ...]]
