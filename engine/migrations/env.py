"""Alembic environment: one history for the engine's and the specialist systems' tables."""
from alembic import context

from engine.db import Base, make_engine
import engine.models  # noqa: F401  (registers the engine tables)

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        with make_engine().begin() as connection:
            _migrate(connection)
    else:
        _migrate(connection)


def _migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
