"""Alembic environment: runs on the connection `bot.governance.db.upgrade_engine` passes in (already in a
transaction and holding the migration lock), or on DATABASE_URL when Alembic's command API is used directly."""
from alembic import context

from bot.governance.db import create_engine, database_url
from bot.governance.models import Base


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or database_url())
    try:
        with engine.connect() as connection:
            run(connection)
            connection.commit()
    finally:
        engine.dispose()
