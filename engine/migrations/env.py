"""Alembic environment for the engine's branch and every specialist system's branch.

The engine's revisions live in ``versions/`` here; each specialist system brings its own labelled
branch in ``tasks/<system>/migrations`` (see engine/migrate.py). Only the engine's tables are
imported here: a plugin's tables register on the same ``Base`` when whoever runs the migration
imports the plugin's package.
"""
from alembic import context

import engine.models  # noqa: F401  (registers the engine tables)
from engine.db import Base, make_engine

target_metadata = Base.metadata


def run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    db_engine = config.attributes.get("engine")
    if db_engine is None:  # plain ``alembic`` from the repository root
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise SystemExit("Keine Datenbank angegeben: `amtsweg db upgrade` verwenden (liest AMTSWEG_DATABASE_URL).")
        db_engine = make_engine(url)
    with db_engine.begin() as connection:
        _migrate(connection)


def _migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
