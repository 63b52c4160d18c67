"""Alembic environment: runs migrations on the URL storage.engine.alembic_config sets."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, event, pool, text
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers the tables on the metadata)
from storage.engine import _tune_sqlite

target_metadata = SQLModel.metadata
# Processes that start together (a release and its web and clock processes) upgrade one at a
# time: the others wait, then find the schema current.
MIGRATION_LOCK_KEY = 0x64656C6967687401


def run_migrations_online() -> None:
    connectable = engine_from_config(
        context.config.get_section(context.config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    if connectable.dialect.name == "sqlite":
        event.listen(connectable, "connect", _tune_sqlite)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            context.run_migrations()
    connectable.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `python -m bot db upgrade`")
run_migrations_online()
