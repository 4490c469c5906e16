"""What migration 0005 holds that autogenerate cannot compare: the partial indexes' conditions,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import db

# PostgreSQL writes NOT LIKE as its operator, !~~.
PARTIAL_INDEXES = {
    "ix_parking_sessions_readable_plate_held_until": ("plate NOT LIKE '~%'", "plate !~~ '~%'"),
    "ix_plate_lookups_readable_looked_up_at": ("plate IS NOT NULL",),
}


def index_definition(name: str) -> str:
    if db.engine.dialect.name == "postgresql":
        query = text("SELECT indexdef FROM pg_indexes WHERE indexname = :name")
    else:
        query = text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name")
    return db.session.scalar(query, {"name": name}) or ""


@pytest.mark.parametrize(("name", "conditions"), sorted(PARTIAL_INDEXES.items()))
def test_the_purge_indexes_hold_only_readable_plates(name, conditions):
    definition = index_definition(name)

    where = definition.upper().partition("WHERE")[2]
    plain = where.replace("(", "").replace(")", "").replace("::TEXT", "")
    assert any(condition.upper() in plain for condition in conditions), definition


@pytest.mark.parametrize(
    "name",
    [
        "ix_parking_sessions_plate_zone_held_until",
        "ix_parking_sessions_zone_updated_at",
        "ix_plate_lookups_caller_looked_up_at",
        "ix_plate_lookups_plate_hash_looked_up_at",
    ],
)
def test_the_indexes_of_checks_rights_and_audits_exist(name):
    assert index_definition(name)
