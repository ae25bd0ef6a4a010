"""Database wiring shared by the engine and the specialist systems in tasks/.

Every table of the installation hangs off one declarative ``Base``; each system migrates its
own tables on its own Alembic branch (``engine.migrate``). Nothing here knows about processes.
"""
from __future__ import annotations

from contextlib import contextmanager

import orjson
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from .fastsql import run_sql

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    json = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **json)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A server that restarted or went away fails fast instead of hanging: every checkout pings
    # (a dead pooled connection is replaced), a connection attempt gives up after
    # CONNECT_TIMEOUT_SECONDS, and keepalives and the TCP user timeout notice a peer that
    # vanished without closing (otherwise the kernel retransmits for many minutes).
    query = make_url(url).query  # a setting in the URL wins
    defaults = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "tcp_user_timeout": TCP_USER_TIMEOUT_MS, **_KEEPALIVES}
    connect_args = {key: value for key, value in defaults.items() if key not in query}
    return create_engine(url, pool_pre_ping=True, pool_size=10, connect_args=connect_args, **json)


CONNECT_TIMEOUT_SECONDS = 5  # libpq's minimum is 2
TCP_USER_TIMEOUT_MS = 15000  # sent data unacknowledged this long: the connection is dead
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 5, "keepalives_count": 3}


def unavailable(err: BaseException) -> bool:
    """Whether ``err`` says the database cannot be reached (down, restarting, connection lost),
    as opposed to a statement that failed: retrying later can help."""
    if not isinstance(err, DBAPIError):
        return False
    return err.connection_invalidated or isinstance(err, (OperationalError, InterfaceError))


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
