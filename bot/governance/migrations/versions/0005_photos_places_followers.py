"""Photos residents send with a report, the coordinates of a shared location, and residents who follow a ticket
someone else filed for the same problem.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))

    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("conversation", sa.String(255), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_photos"),
        sa.UniqueConstraint("token", name="uq_photos_token"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_photos_report_id_reports",
                                ondelete="SET NULL"),
    )
    op.create_index("ix_photos_conversation", "photos", ["conversation"])
    op.create_index("ix_photos_report_id", "photos", ["report_id"])
    op.create_index("ix_photos_created_at", "photos", ["created_at"])

    op.create_table(
        "report_followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_followers"),
        sa.UniqueConstraint("report_id", "conversation", name="uq_report_followers_report_conversation"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_report_followers_report_id_reports",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_report_followers_report_id", "report_followers", ["report_id"])
    op.create_index("ix_report_followers_conversation", "report_followers", ["conversation"])


def downgrade() -> None:
    op.drop_index("ix_report_followers_conversation", table_name="report_followers")
    op.drop_index("ix_report_followers_report_id", table_name="report_followers")
    op.drop_table("report_followers")
    op.drop_index("ix_photos_created_at", table_name="photos")
    op.drop_index("ix_photos_report_id", table_name="photos")
    op.drop_index("ix_photos_conversation", table_name="photos")
    op.drop_table("photos")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
