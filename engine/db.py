"""Database wiring shared by the engine and the specialist systems in tasks/.

Every table of the installation hangs off one declarative ``Base``; engine/migrate.py migrates
them (the engine's branch plus one branch per specialist system). Nothing here knows about processes.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

import orjson
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from .fastsql import run_sql

DEFAULT_URL = "sqlite:///amtsweg.db"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def database_url() -> str:
    return os.environ.get("AMTSWEG_DATABASE_URL", DEFAULT_URL)


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or database_url())
    json = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **json)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, **json)


def _json_dumps(value) -> str:
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_conn, _record):
    # Take over transaction control from the sqlite3 module so BEGIN IMMEDIATE works.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # durable commits
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn):
    # Writers take the lock at BEGIN (see ``writer``), so two workers never interleave
    # read-then-write; readers stay deferred and never wait for a writer.
    run_sql(conn, f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that read and then write."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]):
    """A unit of work that writes: commits when the block ends normally, rolls back otherwise."""
    with sessions() as session, session.begin():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session

