"""Alembic migrations of the governance database, applied by `bot.governance.db.upgrade_engine`."""
