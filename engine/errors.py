"""Typed errors of the engine facade. Messages are German: they reach citizens, clerks
and operators as they are."""
from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class of every error the facade raises on purpose; callers catch the subclass they
    expect. Failures of service operations are the contract's (``engine.operations``)."""


class NotFound(EngineError):
    pass


class OptimisticLockingError(EngineError):
    """Someone else changed the instance in between; reload and try again."""


class InvalidState(EngineError):
    """The action does not fit the current state (task already completed, instance ended …)."""


class TaskAlreadyClaimed(InvalidState):
    pass


class MessageNotCorrelated(EngineError):
    pass


@dataclass(frozen=True)
class FieldError:
    field: str  # JSON pointer-like path, e.g. "antragsteller/plz"; "" for the whole form
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class FormInvalid(EngineError):
    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a deployed model, addressed to the modeller."""

    file: str
    element_id: str | None
    message: str

    def __str__(self) -> str:
        if self.element_id:
            return f"{self.file}: {self.element_id}: {self.message}"
        return f"{self.file}: {self.message}"


class ModelInvalid(EngineError):
    """A model cannot be deployed; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ModelError(EngineError):
    """An element of a deployed model failed on the instance's data: a script, an expression,
    a data association, an io-specification, a correlation. ``activity_id`` names the element
    and ``variable`` the data item concerned, when known. Raised when the command that hit it
    changed nothing (a start stores no instance; a completion leaves the task open); failures
    after the instance moved on become incidents instead."""

    def __init__(self, message: str, activity_id: str | None = None, variable: str | None = None):
        super().__init__(message)
        self.activity_id = activity_id
        self.variable = variable
