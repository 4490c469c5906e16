"""enforcement: the plate lookup audit, sessions' stopped_at, indexes of checks, rights and purge

parking_sessions is only altered in place (ADD/DROP COLUMN, CREATE INDEX): on SQLite a batch
"recreate" of the table would drop the overlap triggers of migration 0002.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READABLE_LOOKUP = sa.text("plate IS NOT NULL")
READABLE_SESSION = sa.text("plate NOT LIKE '~%'")


def upgrade() -> None:
    op.create_table(
        "plate_lookups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("looked_up_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("caller_kind", sa.String(length=8), nullable=False),
        sa.Column("caller_id", sa.Uuid(), nullable=False),
        sa.Column("caller_role", sa.String(length=16), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=False),
        sa.Column("assessed_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("plate_hash", sa.String(length=64), nullable=True),
        sa.Column("plate", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            "caller_kind IN ('user', 'device')", name=op.f("ck_plate_lookups_caller_kind")
        ),
        sa.CheckConstraint(
            "plate IS NULL OR status = 'unpaid'", name=op.f("ck_plate_lookups_plate_only_if_unpaid")
        ),
        sa.CheckConstraint(
            "status IN ('paid', 'free', 'grace', 'unpaid', 'invalid_plate')",
            name=op.f("ck_plate_lookups_status"),
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"], name=op.f("fk_plate_lookups_zone_id_zones")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plate_lookups")),
    )
    op.create_index(
        "ix_plate_lookups_caller_looked_up_at", "plate_lookups", ["caller_id", "looked_up_at"]
    )
    op.create_index(
        "ix_plate_lookups_plate_hash_looked_up_at", "plate_lookups", ["plate_hash", "looked_up_at"]
    )
    op.create_index(
        "ix_plate_lookups_readable_looked_up_at",
        "plate_lookups",
        ["looked_up_at"],
        postgresql_where=READABLE_LOOKUP,
        sqlite_where=READABLE_LOOKUP,
    )

    op.add_column(
        "parking_sessions",
        sa.Column("stopped_at", app.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_parking_sessions_plate_zone_held_until",
        "parking_sessions",
        ["plate", "zone_id", "held_until"],
    )
    op.create_index(
        "ix_parking_sessions_zone_updated_at", "parking_sessions", ["zone_id", "updated_at", "id"]
    )
    op.create_index(
        "ix_parking_sessions_readable_plate_held_until",
        "parking_sessions",
        ["held_until"],
        postgresql_where=READABLE_SESSION,
        sqlite_where=READABLE_SESSION,
    )


def downgrade() -> None:
    op.drop_index("ix_parking_sessions_readable_plate_held_until", "parking_sessions")
    op.drop_index("ix_parking_sessions_zone_updated_at", "parking_sessions")
    op.drop_index("ix_parking_sessions_plate_zone_held_until", "parking_sessions")
    # Not in a batch: SQLite (3.35+) drops the column in place and keeps the overlap triggers.
    op.drop_column("parking_sessions", "stopped_at")

    op.drop_index("ix_plate_lookups_readable_looked_up_at", "plate_lookups")
    op.drop_index("ix_plate_lookups_plate_hash_looked_up_at", "plate_lookups")
    op.drop_index("ix_plate_lookups_caller_looked_up_at", "plate_lookups")
    op.drop_table("plate_lookups")
