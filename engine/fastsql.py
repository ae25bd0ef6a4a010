"""The engine's hot statements, run on the DB-API cursor.

A lifecycle runs about twenty statements; SQLAlchemy's per-execution machinery (cache
lookup, events, result setup) cost more than the database work itself. A ``Statement`` is
compiled once per dialect and set of keys by SQLAlchemy, keeps SQLAlchemy's type processing
(JSON, dates) and error classes, and runs inside the caller's SQLAlchemy transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


_REQUIRED = object()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: bool
    binds: tuple  # (name, value given in the statement or _REQUIRED, type processor or None), in SQL order
    result: tuple  # (column key, type processor or None) per selected column


class Statement:
    """A SQLAlchemy Core statement, run on the DB-API cursor of a connection or session. Only for
    the engine's hot save and acquire path; everything else uses SQLAlchemy's own execute."""

    def __init__(self, statement):
        _refuse_python_defaults(statement)
        self.statement = statement
        self._compiled: dict = {}

    def execute(self, conn: Connection | Session, params: dict) -> int:
        """Runs the statement once; returns the number of rows it changed."""
        return self._run(conn, [params], many=False)[0]

    def execute_many(self, conn: Connection | Session, rows: list[dict]) -> None:
        if rows:
            self._run(conn, rows, many=True)

    def first(self, conn: Connection | Session, params: dict) -> dict | None:
        """The first row as a dict, or None."""
        return self._run(conn, [params], many=False, fetch=True)[1]

    def _run(self, conn, rows, many, fetch=False):
        if isinstance(conn, Session):
            conn = conn.connection()
        if not conn.in_transaction():
            conn.begin()  # as SQLAlchemy's own execute would (autobegin)
        c = self._compile(conn.dialect, rows[0])
        params = [self._params(c, row) for row in rows]
        count, row = run_sql(conn, c.sql, params if many else params[0], many, fetch)
        if row is not None:
            row = {key: (process(value) if process else value) for (key, process), value in zip(c.result, row)}
        return count, row

    def _compile(self, dialect, row: dict) -> _Compiled:
        key = (dialect.name, tuple(row))
        c = self._compiled.get(key)
        if c is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(row))
            names = compiled.positiontup if dialect.positional else compiled.binds
            binds = tuple((name, _REQUIRED if param.required else param.value,
                           param.type.dialect_impl(dialect).bind_processor(dialect))
                          for name in names for param in (compiled.binds[name],))
            result = tuple(
                (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
                for column in getattr(self.statement, "selected_columns", ())
            )
            c = self._compiled[key] = _Compiled(compiled.string, dialect.positional, binds, result)
        return c

    @staticmethod
    def _params(c: _Compiled, row: dict):
        values = []
        for name, given, process in c.binds:
            value = row[name] if given is _REQUIRED else row.get(name, given)
            values.append(process(value) if process else value)
        return values if c.positional else {name: value for (name, _, _), value in zip(c.binds, values)}


def _refuse_python_defaults(statement) -> None:
    """SQLAlchemy fills Python-side defaults (``default=``, ``onupdate=``) in its own execute; the
    cursor here would silently leave them out, so such a table cannot take a fast write."""
    table = getattr(statement, "table", None)
    if table is None or not getattr(statement, "is_dml", False) or getattr(statement, "is_delete", False):
        return
    filled = [c.name for c in table.columns if c.default is not None or c.onupdate is not None]
    if filled:
        raise TypeError(f"{table.name}: Spalten mit Python-Vorgabewerten ({', '.join(filled)}) gehen an "
                        "fastsql vorbei; setzen Sie die Werte ausdrücklich oder nehmen Sie SQLAlchemys execute.")


def run_sql(conn: Connection, sql: str, params=(), many: bool = False, fetch: bool = False) -> tuple[int, tuple | None]:
    """Runs SQL on the connection's DB-API cursor; errors arrive as SQLAlchemy's error classes."""
    dialect = conn.dialect
    dbapi_conn = conn.connection.dbapi_connection
    cursor = dbapi_conn.cursor()
    try:
        (cursor.executemany if many else cursor.execute)(sql, params)
        return cursor.rowcount, cursor.fetchone() if fetch else None
    except dialect.loaded_dbapi.Error as err:
        disconnected = dialect.is_disconnect(err, dbapi_conn, cursor)
        if disconnected:
            conn.invalidate(err)
        raise DBAPIError.instance(sql, params, err, dialect.loaded_dbapi.Error,
                                  connection_invalidated=disconnected, dialect=dialect) from err
    finally:
        cursor.close()
