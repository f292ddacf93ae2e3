"""Residents' questions for staff (consultations, with their additions and per-day numbers), the notification
outbox, and a closed report's satisfaction rating.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RATINGS = "'满意', '基本满意', '不满意'"


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("satisfaction", sa.String(8), nullable=True))
        batch.add_column(sa.Column("satisfaction_comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("rated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("revisit", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_check_constraint("ck_reports_satisfaction", f"satisfaction IN ({RATINGS})")

    op.create_table(
        "consultation_counters",
        sa.Column("day", sa.String(8), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_consultation_counters"),
    )

    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(64), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("words_erased_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consultations"),
        sa.UniqueConstraint("number", name="uq_consultations_number"),
    )
    op.create_index("ix_consultations_sender_id", "consultations", ["sender_id"])
    op.create_index("ix_consultations_created_at", "consultations", ["created_at"])
    op.create_index("ix_consultations_answered_at", "consultations", ["answered_at"])

    op.create_table(
        "consultation_additions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_consultation_additions"),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"],
                                name="fk_consultation_additions_consultation_id_consultations", ondelete="CASCADE"),
    )
    op.create_index("ix_consultation_additions_consultation_id", "consultation_additions", ["consultation_id"])

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_via", sa.String(8), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    op.create_index("ix_notifications_conversation", "notifications", ["conversation"])
    op.create_index("ix_notifications_next_attempt_at", "notifications", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_next_attempt_at", table_name="notifications")
    op.drop_index("ix_notifications_conversation", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_consultation_additions_consultation_id", table_name="consultation_additions")
    op.drop_table("consultation_additions")
    op.drop_index("ix_consultations_answered_at", table_name="consultations")
    op.drop_index("ix_consultations_created_at", table_name="consultations")
    op.drop_index("ix_consultations_sender_id", table_name="consultations")
    op.drop_table("consultations")
    op.drop_table("consultation_counters")
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint("ck_reports_satisfaction", type_="check")
        batch.drop_column("revisit")
        batch.drop_column("rated_at")
        batch.drop_column("satisfaction_comment")
        batch.drop_column("satisfaction")
