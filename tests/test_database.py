from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from app.accounts.models import User
from app.db import Base, db


def test_migrations_and_models_agree():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_sqlite_is_configured_to_keep_payments_through_a_power_cut():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only apply to SQLite")

    with db.engine.connect() as connection:
        pragma = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }

    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10000,
    }


def test_instants_are_stored_as_utc_and_read_back_aware(make_user):
    user = make_user()
    paris = timezone(timedelta(hours=1))
    user.created_at = datetime(2027, 3, 2, 10, 0, tzinfo=paris)
    db.session.commit()
    db.session.expire_all()

    stored = db.session.scalar(select(User.created_at).where(User.id == user.id))

    assert stored == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused(make_user):
    user = make_user()
    user.created_at = datetime(2027, 3, 2, 10, 0)  # noqa: DTZ001  (the point of the test)

    with pytest.raises(Exception, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
