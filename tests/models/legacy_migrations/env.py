"""Frozen copy of the single history 0001-0009 as it was before the split into branches: builds
legacy databases for tests/engine/test_migrate.py. Imports nothing from the project."""
from alembic import context


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
