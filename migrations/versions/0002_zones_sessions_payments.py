"""zones, tariffs, permits, parking sessions, payments, the ledger

Beside the tables, two guards autogenerate cannot see (tests/test_constraints.py checks them):
- no two overlapping holding sessions of one plate in one zone: an exclusion constraint on
  PostgreSQL, triggers on SQLite, both named ex_parking_sessions_no_overlap;
- ledger rows are never updated: a trigger on each backend.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:02:52.351878
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "permits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("plate_raw", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("valid_from", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('resident', 'business', 'disabled', 'exempt')", name=op.f("ck_permits_kind")
        ),
        sa.CheckConstraint("valid_until > valid_from", name=op.f("ck_permits_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits")),
    )
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_permits_plate_valid_until", ["plate", "valid_until"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_permits_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "stripe_webhook_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("received_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_webhook_events")),
    )
    op.create_table(
        "zones",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("subdivision", sa.String(length=8), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zones")),
        sa.UniqueConstraint("code", name=op.f("uq_zones_code")),
    )
    op.create_table(
        "permit_zones",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_zones_permit_id_permits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"], name=op.f("fk_permit_zones_zone_id_zones")
        ),
        sa.PrimaryKeyConstraint("permit_id", "zone_id", name=op.f("pk_permit_zones")),
    )
    with op.batch_alter_table("permit_zones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_zones_zone_id"), ["zone_id"], unique=False)

    op.create_table(
        "tariff_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version > 0", name=op.f("ck_tariff_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"], name=op.f("fk_tariff_versions_zone_id_zones")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_versions")),
        sa.UniqueConstraint(
            "zone_id", "effective_from", name=op.f("uq_tariff_versions_zone_id_effective_from")
        ),
        sa.UniqueConstraint("zone_id", "version", name=op.f("uq_tariff_versions_zone_id_version")),
    )
    op.create_table(
        "parking_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("vehicle_id", sa.Uuid(), nullable=True),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("plate_raw", sa.String(length=32), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=False),
        sa.Column("tariff_version_id", sa.Uuid(), nullable=False),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("open_ended", sa.Boolean(), nullable=False),
        sa.Column("starts_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("max_ends_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("held_until", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("covered_from", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("authorised_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=True),
        sa.Column("settlement_due", sa.Boolean(), nullable=False),
        sa.Column("lease_until", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending_payment', 'active', 'ended', 'cancelled')",
            name=op.f("ck_parking_sessions_status"),
        ),
        sa.CheckConstraint(
            "authorised_cents >= 0", name=op.f("ck_parking_sessions_authorised_not_negative")
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at >= starts_at",
            name=op.f("ck_parking_sessions_ends_after_start"),
        ),
        sa.CheckConstraint(
            "held_until >= starts_at", name=op.f("ck_parking_sessions_held_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["tariff_version_id"],
            ["tariff_versions.id"],
            name=op.f("fk_parking_sessions_tariff_version_id_tariff_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_parking_sessions_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_parking_sessions_vehicle_id_vehicles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"], name=op.f("fk_parking_sessions_zone_id_zones")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_sessions")),
        sa.UniqueConstraint("request_key", name=op.f("uq_parking_sessions_request_key")),
    )
    with op.batch_alter_table("parking_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_parking_sessions_plate_zone_starts_at",
            ["plate", "zone_id", "starts_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_parking_sessions_status_held_until", ["status", "held_until"], unique=False
        )
        batch_op.create_index(
            "ix_parking_sessions_settlement_due", ["settlement_due"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_parking_sessions_updated_at"), ["updated_at"], unique=False
        )
        batch_op.create_index(
            "ix_parking_sessions_user_created_at", ["user_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("session_ends_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["parking_sessions.id"],
            name=op.f("fk_notifications_session_id_parking_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "session_id",
            "kind",
            "session_ends_at",
            name=op.f("uq_notifications_session_id_kind_session_ends_at"),
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_user_created_at", ["user_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("manual_capture", sa.Boolean(), nullable=False),
        sa.Column("captured_cents", sa.Integer(), nullable=True),
        sa.Column("payment_method_id", sa.String(length=64), nullable=False),
        sa.Column("stripe_payment_intent_id", sa.String(length=64), nullable=True),
        sa.Column("stripe_charge_id", sa.String(length=64), nullable=True),
        sa.Column("decline_code", sa.String(length=64), nullable=True),
        sa.Column("target_ends_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("authorised_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('start', 'extension', 'authorisation')", name=op.f("ck_payments_purpose")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'succeeded', 'failed', 'canceled')",
            name=op.f("ck_payments_status"),
        ),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "captured_cents IS NULL OR captured_cents <= amount_cents",
            name=op.f("ck_payments_capture_within_hold"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["parking_sessions.id"],
            name=op.f("fk_payments_session_id_parking_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "stripe_payment_intent_id", name=op.f("uq_payments_stripe_payment_intent_id")
        ),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_session_id"), ["session_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("stripe_object_id", sa.String(length=64), nullable=False),
        sa.Column("stripe_payment_intent_id", sa.String(length=64), nullable=True),
        sa.Column("stripe_charge_id", sa.String(length=64), nullable=True),
        sa.Column("fee_cents", sa.Integer(), nullable=True),
        sa.Column("occurred_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind IN ('charge', 'capture') AND amount_cents > 0) OR (kind IN ('refund', 'dispute') AND amount_cents < 0)",
            name=op.f("ck_ledger_entries_amount_sign"),
        ),
        sa.CheckConstraint(
            "kind IN ('charge', 'capture', 'refund', 'dispute')",
            name=op.f("ck_ledger_entries_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_ledger_entries_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["parking_sessions.id"],
            name=op.f("fk_ledger_entries_session_id_parking_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("stripe_object_id", name=op.f("uq_ledger_entries_stripe_object_id")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_occurred_at_id", ["occurred_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_session_id"), ["session_id"], unique=False
        )

    _create_guards()


OVERLAP = "ex_parking_sessions_no_overlap"
HOLDING = "('pending_payment', 'active')"
SQLITE_OVERLAP_CHECK = f"""
    NEW.status IN {HOLDING} AND EXISTS (
        SELECT 1 FROM parking_sessions AS other
        WHERE other.plate = NEW.plate AND other.zone_id = NEW.zone_id AND other.id != NEW.id
          AND other.status IN {HOLDING}
          AND other.starts_at < NEW.held_until AND NEW.starts_at < other.held_until)
"""


def _create_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE parking_sessions ADD CONSTRAINT {OVERLAP} EXCLUDE USING gist "
            "(plate WITH =, zone_id WITH =, tstzrange(starts_at, held_until, '[)') WITH &&) "
            f"WHERE (status IN {HOLDING})"
        )
        op.execute(
            "CREATE FUNCTION ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'ledger_entries rows are immutable'; END $$"
        )
        op.execute(
            "CREATE TRIGGER tr_ledger_entries_immutable BEFORE UPDATE ON ledger_entries "
            "FOR EACH ROW EXECUTE FUNCTION ledger_entries_immutable()"
        )
        return
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER {OVERLAP}_{event.lower()} BEFORE {event} ON parking_sessions "
            f"WHEN {SQLITE_OVERLAP_CHECK} BEGIN SELECT RAISE(ABORT, '{OVERLAP}'); END"
        )
    op.execute(
        "CREATE TRIGGER tr_ledger_entries_immutable BEFORE UPDATE ON ledger_entries "
        "BEGIN SELECT RAISE(ABORT, 'ledger_entries rows are immutable'); END"
    )


def _drop_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tr_ledger_entries_immutable ON ledger_entries")
        op.execute("DROP FUNCTION IF EXISTS ledger_entries_immutable()")
        op.execute(f"ALTER TABLE parking_sessions DROP CONSTRAINT IF EXISTS {OVERLAP}")
        return
    op.execute("DROP TRIGGER IF EXISTS tr_ledger_entries_immutable")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_{event}")


def downgrade() -> None:
    _drop_guards()
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_session_id"))
        batch_op.drop_index("ix_ledger_entries_occurred_at_id")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_session_id"))

    op.drop_table("payments")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_created_at")

    op.drop_table("notifications")
    with op.batch_alter_table("parking_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_parking_sessions_user_created_at")
        batch_op.drop_index(batch_op.f("ix_parking_sessions_updated_at"))
        batch_op.drop_index("ix_parking_sessions_status_held_until")
        batch_op.drop_index("ix_parking_sessions_plate_zone_starts_at")

    op.drop_table("parking_sessions")
    op.drop_table("tariff_versions")
    with op.batch_alter_table("permit_zones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_zones_zone_id"))

    op.drop_table("permit_zones")
    op.drop_table("zones")
    op.drop_table("stripe_webhook_events")
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permits_updated_at"))
        batch_op.drop_index("ix_permits_plate_valid_until")

    op.drop_table("permits")
