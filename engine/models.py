"""The engine's tables. Workflow state is one compact blob per instance; everything that is
queried (instances, human tasks, jobs, subscriptions, incidents, audit) has its own indexed
table, so no query opens workflow state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base

Id = String(36)


class Deployment(Base):
    __tablename__ = "deployment"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100))


class DeploymentResource(Base):
    """A deployed file as it was uploaded (BPMN, DMN, form schema)."""

    __tablename__ = "deployment_resource"
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(300))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"), index=True)
    resource_name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_tenant_state", "tenant", "state"),
        Index("ix_process_instance_business_key", "tenant", "business_key"),
        Index("ix_process_instance_started_by", "tenant", "started_by"),
    )
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    tenant: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))
    # Optimistic concurrency: every save checks and increments it.
    version: Mapped[int] = mapped_column(Integer)
    variables: Mapped[dict] = mapped_column(JSON)
    # Compact SpiffWorkflow state without the spec; NULL once the instance has ended.
    workflow_state: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Task ids of the wait points that have index rows (human task, job, subscription).
    wait_points: Mapped[dict] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str | None] = mapped_column(String(100))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HumanTask(Base):
    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_worklist", "tenant", "state", "candidate_group"),
        Index("ix_human_task_assignee", "tenant", "state", "assignee"),
    )
    id: Mapped[str] = mapped_column(Id, primary_key=True)  # the SpiffWorkflow task id
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    tenant: Mapped[str] = mapped_column(String(100))
    process_key: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(200))
    activity_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    form_key: Mapped[str | None] = mapped_column(String(300))
    candidate_group: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))  # open, completed, cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    follow_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(String(100))


class Job(Base):
    """A service call, timer or continuation that a worker executes."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_acquire", "state", "due_at"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    tenant: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # service, timer, continuation
    task_id: Mapped[str | None] = mapped_column(Id)
    activity_id: Mapped[str | None] = mapped_column(String(200))
    operation: Mapped[str | None] = mapped_column(String(200))
    params: Mapped[dict | None] = mapped_column(JSON)
    # Stays the same across every retry of this job, so adapters can deduplicate.
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    state: Mapped[str] = mapped_column(String(20))  # ready, failed, suspended
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retries_left: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    backoff_seconds: Mapped[int] = mapped_column(Integer)
    lock_owner: Mapped[str | None] = mapped_column(String(100))
    lock_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MessageSubscription(Base):
    __tablename__ = "message_subscription"
    __table_args__ = (Index("ix_message_subscription_match", "message_name", "correlation", "tenant"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)  # derived from task id and message name
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(Id)  # the waiting SpiffWorkflow task
    tenant: Mapped[str] = mapped_column(String(100))
    message_name: Mapped[str] = mapped_column(String(200))
    # Canonical JSON of the correlation keys, compared for equality.
    correlation: Mapped[str] = mapped_column(String(500))
    activity_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_open", "tenant", "resolved_at"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    tenant: Mapped[str] = mapped_column(String(100))
    job_id: Mapped[str | None] = mapped_column(Id)
    activity_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))  # failed_job, failed_continuation
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class AuditEvent(Base):
    """Who did what, when, on which instance, and which data changed."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_instance", "instance_id", "id"), Index("ix_audit_event_tenant_at", "tenant", "at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(Id)
    tenant: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    activity_id: Mapped[str | None] = mapped_column(String(200))
    activity_name: Mapped[str | None] = mapped_column(String(300))
    changes: Mapped[dict | None] = mapped_column(JSON)
