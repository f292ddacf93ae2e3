"""Reports, status history, delivery attempts, outbox and per-day ticket counters.

Revision ID: 0001
Revises:
Create Date: 2024-05-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = "'received', 'dispatched', 'in_progress', 'closed'"
CATEGORIES = "'安全隐患', '矛盾纠纷', '环境卫生', '交通停车', '公共设施', '其他'"
SOURCES = "'bot', 'backend', 'staff'"


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_no", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("backend_request_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("ticket_no", name="uq_reports_ticket_no"),
        sa.UniqueConstraint("idempotency_key", name="uq_reports_idempotency_key"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_reports_status"),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name="ck_reports_category"),
    )
    op.create_index("ix_reports_sender_id", "reports", ["sender_id"])
    op.create_index("ix_reports_status", "reports", ["status"])
    op.create_index("ix_reports_created_at", "reports", ["created_at"])

    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_changes"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_status_changes_report_id_reports", ondelete="CASCADE"
        ),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_status_changes_status"),
        sa.CheckConstraint(f"source IN ({SOURCES})", name="ck_status_changes_source"),
    )
    op.create_index("ix_status_changes_report_id", "status_changes", ["report_id"])

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_attempts"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_delivery_attempts_report_id_reports", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_delivery_attempts_report_id", "delivery_attempts", ["report_id"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_outbox_report_id_reports", ondelete="CASCADE"),
        sa.UniqueConstraint("report_id", name="uq_outbox_report_id"),
    )
    op.create_index("ix_outbox_next_attempt_at", "outbox", ["next_attempt_at"])

    op.create_table(
        "ticket_counters",
        sa.Column("day", sa.String(8), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_ticket_counters"),
    )


def downgrade() -> None:
    op.drop_table("ticket_counters")
    op.drop_index("ix_outbox_next_attempt_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_delivery_attempts_report_id", table_name="delivery_attempts")
    op.drop_table("delivery_attempts")
    op.drop_index("ix_status_changes_report_id", table_name="status_changes")
    op.drop_table("status_changes")
    op.drop_index("ix_reports_created_at", table_name="reports")
    op.drop_index("ix_reports_status", table_name="reports")
    op.drop_index("ix_reports_sender_id", table_name="reports")
    op.drop_table("reports")
