"""The DB-API fast path must behave like SQLAlchemy's own execute: same stored values, same
types read back, same error classes, inside the caller's transaction."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import JSON, Column, DateTime, Integer, LargeBinary, MetaData, String, Table, bindparam, select
from sqlalchemy.exc import IntegrityError

from engine.clock import as_utc
from engine.fastsql import Statement

# A table of its own with the column types the engine uses.
JOBS = Table("fastsql_probe", MetaData(),
             Column("id", String(36), primary_key=True), Column("state", String(20)), Column("params", JSON),
             Column("blob", LargeBinary), Column("attempts", Integer), Column("due_at", DateTime(timezone=True)),
             Column("lock_expires_at", DateTime(timezone=True)))
AUDIT = Table("fastsql_probe_log", MetaData(), Column("id", Integer, primary_key=True, autoincrement=True),
              Column("action", String(40)), Column("changes", JSON))
INSERT_JOB = Statement(JOBS.insert())
SELECT_JOB = Statement(select(*JOBS.c).where(JOBS.c.id == bindparam("job_id")))
RESCHEDULE = Statement(JOBS.update().where(JOBS.c.id == bindparam("b_id"), JOBS.c.state == "ready")
                       .values(due_at=bindparam("due_at")))
DUE = datetime(2026, 11, 25, 17, 30, 15, 123456, tzinfo=timezone.utc)


@pytest.fixture
def probe(db):
    for table in (JOBS, AUDIT):
        table.create(db.engine)
    yield db
    for table in (JOBS, AUDIT):
        table.drop(db.engine)


def job(job_id: str, **values) -> dict:
    return {"id": job_id, "state": "ready", "params": {"name": "Müller", "jahr": 1990, "tags": ["a", None], "ok": True},
            "blob": b"\x00\xff{}", "attempts": 3, "due_at": DUE, "lock_expires_at": None, **values}


def test_values_written_fast_read_back_the_same_through_sqlalchemy_and_fast(probe):
    with probe.engine.begin() as conn:
        INSERT_JOB.execute_many(conn, [job("j-1"), job("j-2", params=None, state="failed")])
    with probe.engine.connect() as conn:
        orm_rows = {r.id: r for r in conn.execute(select(JOBS))}
        fast = SELECT_JOB.first(conn, {"job_id": "j-1"})
    assert orm_rows["j-1"].params == {"name": "Müller", "jahr": 1990, "tags": ["a", None], "ok": True}
    assert orm_rows["j-2"].params is None and orm_rows["j-2"].state == "failed"
    assert as_utc(orm_rows["j-1"].due_at) == DUE
    assert fast["params"] == orm_rows["j-1"].params
    assert as_utc(fast["due_at"]) == DUE and fast["lock_expires_at"] is None and fast["attempts"] == 3
    assert bytes(fast["blob"]) == bytes(orm_rows["j-1"].blob) == b"\x00\xff{}"


def test_execute_returns_the_rows_changed_and_literal_conditions_apply(probe):
    with probe.engine.begin() as conn:
        INSERT_JOB.execute_many(conn, [job("j-1"), job("j-2", state="failed")])
        later = DUE.replace(hour=20)
        assert RESCHEDULE.execute(conn, {"b_id": "j-1", "due_at": later}) == 1
        assert RESCHEDULE.execute(conn, {"b_id": "j-2", "due_at": later}) == 0  # not ready
        assert RESCHEDULE.execute(conn, {"b_id": "missing", "due_at": later}) == 0
        assert as_utc(SELECT_JOB.first(conn, {"job_id": "j-1"})["due_at"]) == later
        assert SELECT_JOB.first(conn, {"job_id": "missing"}) is None


def test_rolls_back_with_the_callers_transaction(probe):
    with pytest.raises(RuntimeError), probe.engine.begin() as conn:
        INSERT_JOB.execute(conn, job("j-1"))
        raise RuntimeError("later step failed")
    with probe.engine.connect() as conn:
        assert SELECT_JOB.first(conn, {"job_id": "j-1"}) is None


def test_database_errors_arrive_as_sqlalchemy_errors(probe):
    with probe.engine.begin() as conn:
        INSERT_JOB.execute(conn, job("j-1"))
    with pytest.raises(IntegrityError), probe.engine.begin() as conn:
        INSERT_JOB.execute(conn, job("j-1"))


def test_works_on_a_session_and_on_rows_with_fewer_columns(probe):
    with probe.sessions() as session, session.begin():
        Statement(AUDIT.insert()).execute_many(session, [
            {"action": "task_completed", "changes": {"set": {"ok": True}}},
            {"action": "instance_completed", "changes": None},
        ])
    with probe.engine.connect() as conn:
        rows = conn.execute(select(AUDIT).order_by(AUDIT.c.id)).all()
    assert [(r.action, r.changes) for r in rows] == [("task_completed", {"set": {"ok": True}}),
                                                     ("instance_completed", None)]
    assert rows[0].id < rows[1].id  # ids come from the database


def test_a_missing_parameter_is_an_error_not_null(probe):
    with pytest.raises(KeyError), probe.engine.begin() as conn:
        RESCHEDULE.execute(conn, {"due_at": DUE})


@pytest.mark.parametrize("column", [Column("state", String(20), default="ready"),
                                    Column("attempts", Integer, onupdate=lambda: 1)])
def test_tables_with_python_side_defaults_are_refused_when_the_statement_is_built(column):
    table = Table("fastsql_defaults", MetaData(), Column("id", String(36), primary_key=True), column)
    for statement in (table.insert(), table.update().where(table.c.id == bindparam("b_id"))):
        with pytest.raises(TypeError, match=f"Python-Vorgabewerten \\({column.name}\\)"):
            Statement(statement)
    Statement(table.delete().where(table.c.id == bindparam("b_id")))  # deletes fill nothing
    Statement(select(table.c.id))
