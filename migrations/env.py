"""Alembic environment: the same migrations for SQLite and PostgreSQL.

Three ways in: `alembic upgrade head` (reads DATABASE_URL), `flask --app wsgi db upgrade`
(uses the app's engine), and the tests (pass an open connection in `config.attributes`).
"""

from __future__ import annotations

from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from app.config import Settings
from app.db import Base
from app.models import all_models  # noqa: F401  (fills Base.metadata)

config = context.config
# `flask db` names a migrations/alembic.ini that does not exist: it logs through the app instead.
config_file = config.config_file_name
if config_file and Path(config_file).exists() and not config.attributes.get("connection"):
    fileConfig(config_file, disable_existing_loggers=False)

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying the table
        compare_type=True,
        user_module_prefix="app.db.",
    )


def _database_url() -> str:
    try:
        from flask import current_app

        return current_app.config["SQLALCHEMY_DATABASE_URI"]
    except (ImportError, RuntimeError):  # not inside `flask db ...`
        return Settings.from_env().database_url


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported: run them against a database.")
run_migrations_online()
