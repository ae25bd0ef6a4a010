"""Operations by name. Built-in systems are registered here; a municipality adds or replaces
systems with its own modules named in ``AMTSWEG_ADAPTER_MODULES`` (comma-separated), each
offering ``register(registry, sessions)``."""
from __future__ import annotations

import importlib
import os
from typing import Callable

from .base import ServiceCall, SpecialistSystem

Operation = Callable[[ServiceCall], dict]


class UnknownOperation(LookupError):
    pass


class Registry:
    def __init__(self) -> None:
        self._systems: dict[str, SpecialistSystem] = {}

    def add_system(self, system: SpecialistSystem, replace: bool = False) -> None:
        if system.name in self._systems and not replace:
            raise ValueError(f"Fachverfahren '{system.name}' ist bereits registriert; replace=True ersetzt es.")
        for op in system.operations:
            if not callable(getattr(system, op, None)):
                raise TypeError(f"{type(system).__name__} bietet die Operation '{op}' nicht an.")
        self._systems[system.name] = system

    def resolve(self, operation: str) -> Operation:
        system_name, _, method = operation.partition(".")
        system = self._systems.get(system_name)
        if system is None or method not in system.operations:
            raise UnknownOperation(operation)
        return getattr(system, method)

    def operations(self) -> set[str]:
        return {f"{s.name}.{op}" for s in self._systems.values() for op in s.operations}


def default_registry(sessions) -> Registry:
    """The built-in systems plus the modules named in AMTSWEG_ADAPTER_MODULES."""
    registry = Registry()
    from . import builtin

    builtin.register(registry, sessions)
    for name in filter(None, (m.strip() for m in os.environ.get("AMTSWEG_ADAPTER_MODULES", "").split(","))):
        importlib.import_module(name).register(registry, sessions)
    return registry
