"""WeChat reports name their conversation as the WeChat channel now does, `wechat:<openid>`, so that residents'
earlier tickets still show as theirs. (Rasa's conversation store is not rewritten: earlier conversations stay
under the bare openid, and a resident's next message starts a new one.)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PREFIX = "wechat:"


def upgrade() -> None:
    op.execute(
        f"UPDATE reports SET sender_id = '{PREFIX}' || sender_id "
        f"WHERE channel = 'wechat' AND sender_id NOT LIKE '{PREFIX}%'"
    )


def downgrade() -> None:
    op.execute(
        f"UPDATE reports SET sender_id = substr(sender_id, {len(PREFIX) + 1}) "
        f"WHERE channel = 'wechat' AND sender_id LIKE '{PREFIX}%'"
    )
