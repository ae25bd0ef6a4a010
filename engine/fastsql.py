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


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: object
    positions: tuple | None  # bind names in order, for positional paramstyles
    bind: dict  # bind name -> processor
    result: tuple  # (column key, processor) per selected column


class Statement:
    def __init__(self, statement):
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
        dialect = conn.dialect
        c = self._compile(dialect, rows[0])
        params = [self._params(c, row) for row in rows]
        dbapi_conn = conn.connection.dbapi_connection
        cursor = dbapi_conn.cursor()
        try:
            if many:
                cursor.executemany(c.sql, params)
            else:
                cursor.execute(c.sql, params[0])
            row = cursor.fetchone() if fetch else None
            count = cursor.rowcount
        except dialect.loaded_dbapi.Error as err:
            disconnected = dialect.is_disconnect(err, dbapi_conn, cursor)
            if disconnected:
                conn.invalidate(err)
            raise DBAPIError.instance(c.sql, params[0], err, dialect.loaded_dbapi.Error,
                                      connection_invalidated=disconnected, dialect=dialect) from err
        finally:
            cursor.close()
        if row is not None:
            row = {key: (process(value) if process else value) for (key, process), value in zip(c.result, row)}
        return count, row

    def _compile(self, dialect, row: dict) -> _Compiled:
        key = (dialect.name, tuple(row))
        c = self._compiled.get(key)
        if c is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(row))
            bind = {}
            for name, param in compiled.binds.items():
                process = param.type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    bind[name] = process
            result = tuple(
                (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
                for column in getattr(self.statement, "selected_columns", ())
            )
            positions = tuple(compiled.positiontup) if dialect.positional else None
            c = self._compiled[key] = _Compiled(compiled.string, compiled, positions, bind, result)
        return c

    @staticmethod
    def _params(c: _Compiled, row: dict):
        values = c.compiled.construct_params(row)
        for name, process in c.bind.items():
            values[name] = process(values[name])
        return values if c.positions is None else tuple(values[name] for name in c.positions)
