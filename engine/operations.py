"""The contract between the job executor and whatever performs service tasks (as Camunda's
``JavaDelegate`` and ``BpmnError`` are engine API).

A service task names an operation ``<system>.<method>`` (for example
``civil_register.lookup_entry``). The engine looks it up in a registry and calls it with a
``ServiceCall``. An operation ends in one of four ways, and the job executor honours each:

- it returns a JSON-serialisable dict: the result becomes the task's output;
- ``BusinessError``: a business outcome, thrown as a BPMN error to the model's boundary event;
- ``TemporaryFailure``: a technical failure (peer unreachable, timeout), retried with backoff,
  an incident once the retries are used up; any other exception is treated the same way;
- ``InvalidRequest``: the process asked for something that cannot work (a modelling or
  configuration error); retrying cannot help, so an incident opens at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol


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


Operation = Callable[[ServiceCall], dict]


class BusinessError(Exception):
    """A business outcome that the process models as a BPMN error (boundary error event),
    for example a register entry that does not exist. Not retried."""

    def __init__(self, code: str, message: str = "", payload: dict[str, Any] | None = None):
        super().__init__(message or code)
        self.code = code
        self.payload = payload or {}


class TemporaryFailure(Exception):
    """A technical failure that may pass: retried with backoff, then an incident."""


class InvalidRequest(ValueError):
    """Unusable parameters or an operation that does not exist: an incident at once."""


class UnknownOperation(InvalidRequest):
    def __init__(self, operation: str):
        super().__init__(f"Die Operation „{operation}“ ist nicht registriert.")
        self.operation = operation


class OperationRegistry(Protocol):
    """What the engine needs of a registry: look up an operation, list them (deploy-time
    validation rejects models that name an unknown one)."""

    def resolve(self, operation: str) -> Operation:
        """The callable for ``operation``; raises ``UnknownOperation``."""

    def operations(self) -> set[str]: ...
