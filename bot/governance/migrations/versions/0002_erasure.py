"""When a report's phone, and the resident's own words (description, place), were erased by retention.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("phone_erased_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("words_erased_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("words_erased_at")
        batch.drop_column("phone_erased_at")
