"""specialist systems: civil register, finance, e-file, print and mail, notifications

Revision ID: 0002
Revises: 0001

Must match the models in tasks/*/models.py exactly (tests/tasks/test_migrations.py checks).
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def _id():
    return sa.Column("id", sa.Integer(), nullable=False)


def _tenant():
    return sa.Column("tenant", TENANT, nullable=False)


def upgrade() -> None:
    _civil_register()
    _finance()
    _efile()
    _print_mail()
    _notifications()


def _civil_register() -> None:
    op.create_table(
        "civreg_entry",
        _id(),
        _tenant(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("register_number", sa.String(length=40), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("event_place", sa.String(length=200), nullable=False),
        sa.Column("adoption", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_civreg_entry"),
        sa.UniqueConstraint("tenant", "register_number", name="uq_civreg_entry_tenant_register_number"),
    )
    op.create_index("ix_civreg_entry_search", "civreg_entry", ["tenant", "kind", "event_date"])

    op.create_table(
        "civreg_person",
        _id(),
        _tenant(),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("given_names", sa.String(length=200), nullable=False),
        sa.Column("birth_name", sa.String(length=200), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("family_name_key", sa.String(length=200), nullable=False),
        sa.Column("birth_name_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["civreg_entry.id"], name="fk_civreg_person_entry_id_civreg_entry"),
        sa.PrimaryKeyConstraint("id", name="pk_civreg_person"),
    )
    op.create_index("ix_civreg_person_entry_id", "civreg_person", ["entry_id"])
    op.create_index("ix_civreg_person_family_name", "civreg_person", ["tenant", "family_name_key"])
    op.create_index("ix_civreg_person_birth_name", "civreg_person", ["tenant", "birth_name_key"])

    op.create_table(
        "civreg_blocking_note",
        _id(),
        _tenant(),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["civreg_entry.id"], name="fk_civreg_blocking_note_entry_id_civreg_entry"),
        sa.PrimaryKeyConstraint("id", name="pk_civreg_blocking_note"),
    )
    op.create_index("ix_civreg_blocking_note_entry_id", "civreg_blocking_note", ["entry_id"])

    op.create_table(
        "civreg_retrieval_log",
        _id(),
        _tenant(),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("operation", sa.String(length=50), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=True),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("query_summary", sa.Text(), nullable=False),
        sa.Column("result_status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_civreg_retrieval_log"),
    )
    op.create_index("ix_civreg_retrieval_log_tenant_at", "civreg_retrieval_log", ["tenant", "at"])
    op.create_index("ix_civreg_retrieval_log_case", "civreg_retrieval_log", ["tenant", "business_key"])


def _finance() -> None:
    op.create_table(
        "finance_counter",
        _tenant(),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", name="pk_finance_counter"),
    )

    op.create_table(
        "finance_receivable",
        _id(),
        _tenant(),
        sa.Column("cash_reference", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("debtor_name", sa.String(length=300), nullable=False),
        sa.Column("debtor_address", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_finance_receivable"),
        sa.UniqueConstraint("tenant", "cash_reference", name="uq_finance_receivable_tenant_cash_reference"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_finance_receivable_tenant_idempotency_key"),
    )
    op.create_index("ix_finance_receivable_case", "finance_receivable", ["tenant", "business_key"])

    op.create_table(
        "finance_payment",
        _id(),
        _tenant(),
        sa.Column("receivable_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("paid_at", TIMESTAMP, nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["receivable_id"], ["finance_receivable.id"], name="fk_finance_payment_receivable_id_finance_receivable"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_finance_payment"),
    )
    op.create_index("ix_finance_payment_receivable_id", "finance_payment", ["receivable_id"])


def _efile() -> None:
    op.create_table(
        "efile_plan_entry",
        _id(),
        _tenant(),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_efile_plan_entry"),
        sa.UniqueConstraint("tenant", "code", name="uq_efile_plan_entry_tenant_code"),
    )

    op.create_table(
        "efile_counter",
        _tenant(),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", name="pk_efile_counter"),
    )

    op.create_table(
        "efile_file",
        _id(),
        _tenant(),
        sa.Column("file_number", sa.String(length=60), nullable=False),
        sa.Column("plan_code", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_efile_file"),
        sa.UniqueConstraint("tenant", "file_number", name="uq_efile_file_tenant_file_number"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_efile_file_tenant_idempotency_key"),
        sa.UniqueConstraint("tenant", "business_key", name="uq_efile_file_tenant_business_key"),
    )

    op.create_table(
        "efile_document",
        _id(),
        _tenant(),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("json_content", sa.JSON(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["efile_file.id"], name="fk_efile_document_file_id_efile_file"),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["efile_document.id"], name="fk_efile_document_supersedes_id_efile_document"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_efile_document"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_efile_document_tenant_idempotency_key"),
    )
    op.create_index("ix_efile_document_file_id", "efile_document", ["file_id"])


def _print_mail() -> None:
    op.create_table(
        "print_mail_job",
        _id(),
        _tenant(),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("address_block", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("posted_at", TIMESTAMP, nullable=True),
        sa.Column("posted_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_print_mail_job"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_print_mail_job_tenant_idempotency_key"),
    )
    op.create_index("ix_print_mail_job_open", "print_mail_job", ["tenant", "status"])
    op.create_index("ix_print_mail_job_batch", "print_mail_job", ["tenant", "batch_id"])

    op.create_table(
        "print_mail_document",
        _id(),
        _tenant(),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["print_mail_job.id"], name="fk_print_mail_document_job_id_print_mail_job"),
        sa.PrimaryKeyConstraint("id", name="pk_print_mail_document"),
    )
    op.create_index("ix_print_mail_document_job_id", "print_mail_document", ["job_id"])


def _notifications() -> None:
    op.create_table(
        "notify_mail",
        _id(),
        _tenant(),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notify_mail"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_notify_mail_tenant_idempotency_key"),
    )
    op.create_index("ix_notify_mail_case", "notify_mail", ["tenant", "business_key"])


# Children before parents.
TABLES = (
    "notify_mail",
    "print_mail_document",
    "print_mail_job",
    "efile_document",
    "efile_file",
    "efile_counter",
    "efile_plan_entry",
    "finance_payment",
    "finance_receivable",
    "finance_counter",
    "civreg_retrieval_log",
    "civreg_blocking_note",
    "civreg_person",
    "civreg_entry",
)


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it.
    for table in TABLES:
        op.drop_table(table)
