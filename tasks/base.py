"""What a specialist system is to the installation: one plugin, the same shape for every system.

A plugin declares its name (the operation prefix), how to build its system from the systems it
needs, its tables (a models module), its Alembic branch and its demo seed. The composition root
(``processes.bootstrap``) builds the systems in dependency order, so a municipality that
replaces a system (say ``efile``) replaces it for every system that needs it. The contract of
an operation itself is the engine's (``engine.operations``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, ClassVar, Mapping

from sqlalchemy.orm import Session, sessionmaker

from engine.db import Base


class SpecialistSystem:
    """Base class for one specialist system. ``name`` is the operation prefix,
    ``operations`` the method names offered as operations. Each method takes a
    ``ServiceCall`` and returns a JSON-serialisable dict."""

    name: ClassVar[str]
    operations: ClassVar[tuple[str, ...]]


@dataclass(frozen=True)
class PluginContext:
    """What a plugin gets to build its system."""

    sessions: sessionmaker[Session]
    settings: Any  # the installation's settings (processes.settings.Settings)
    systems: Mapping[str, SpecialistSystem]  # the systems named in ``needs``, already built


@dataclass(frozen=True)
class Plugin:
    name: str
    build: Callable[[PluginContext], SpecialistSystem]
    needs: tuple[str, ...] = ()
    models: ModuleType | None = None  # the module that defines its tables
    migrations: Path | None = None  # its Alembic branch, labelled ``name``; default: "migrations" beside models
    seed: Callable[[Session, str], int] | None = None  # demo data for one tenant; returns rows added

    def __post_init__(self):
        if self.migrations is None and self.models is not None:
            object.__setattr__(self, "migrations", Path(self.models.__file__).parent / "migrations")

    @property
    def tables(self) -> set[str]:
        if self.models is None:
            return set()
        return {mapper.local_table.name for mapper in Base.registry.mappers
                if mapper.class_.__module__ == self.models.__name__}
