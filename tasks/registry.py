"""Operations by name, and the systems that offer them, built from plugins in dependency order."""
from __future__ import annotations

import importlib
from typing import Iterable

from engine.operations import Operation, UnknownOperation

from .base import Plugin, PluginContext, SpecialistSystem


class Registry:
    """Implements the engine's ``OperationRegistry``."""

    def __init__(self) -> None:
        self._systems: dict[str, SpecialistSystem] = {}

    def add_system(self, system: SpecialistSystem, replace: bool = False) -> None:
        if system.name in self._systems and not replace:
            raise ValueError(f"Fachverfahren '{system.name}' ist bereits registriert; replace=True ersetzt es.")
        for op in system.operations:
            if not callable(getattr(system, op, None)):
                raise TypeError(f"{type(system).__name__} bietet die Operation '{op}' nicht an.")
        self._systems[system.name] = system

    def system(self, name: str) -> SpecialistSystem:
        return self._systems[name]

    def resolve(self, operation: str) -> Operation:
        system_name, _, method = operation.partition(".")
        system = self._systems.get(system_name)
        if system is None or method not in system.operations:
            raise UnknownOperation(operation)
        return getattr(system, method)

    def operations(self) -> set[str]:
        return {f"{s.name}.{op}" for s in self._systems.values() for op in s.operations}


def plugins_from_modules(names: Iterable[str]) -> list[Plugin]:
    """The plugins of a municipality's own modules; each module offers ``PLUGINS``."""
    return [plugin for name in names for plugin in importlib.import_module(name).PLUGINS]


def combine(*groups: Iterable[Plugin]) -> list[Plugin]:
    """One plugin per name; a later group's plugin replaces an earlier one of the same name."""
    chosen: dict[str, Plugin] = {}
    for group in groups:
        for plugin in group:
            chosen[plugin.name] = plugin
    return list(chosen.values())


def build_registry(plugins: Iterable[Plugin], sessions, settings) -> Registry:
    """Builds every plugin's system after the systems it needs."""
    pending = {p.name: p for p in plugins}
    missing = [f"{p.name} braucht {', '.join(sorted(set(p.needs) - set(pending)))}"
               for p in pending.values() if set(p.needs) - set(pending)]
    if missing:
        raise ValueError(f"Fachverfahren fehlen: {'; '.join(missing)}.")
    built: dict[str, SpecialistSystem] = {}
    registry = Registry()
    while pending:
        ready = [p for p in pending.values() if set(p.needs) <= set(built)]
        if not ready:
            raise ValueError(f"Fachverfahren brauchen einander im Kreis: {', '.join(sorted(pending))}.")
        for plugin in ready:
            system = plugin.build(PluginContext(sessions, settings, {n: built[n] for n in plugin.needs}))
            if system.name != plugin.name:
                raise ValueError(f"Plugin '{plugin.name}' baut das Fachverfahren '{system.name}'.")
            registry.add_system(system)
            built[plugin.name] = system
            del pending[plugin.name]
    return registry
