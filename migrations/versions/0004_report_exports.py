"""report export jobs, and an index on when sessions start (for sessions.csv)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 22:25:32.821069
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report", sa.String(length=16), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=True),
        sa.Column("group_by", sa.String(length=8), nullable=True),
        sa.Column("excel", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=100), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "group_by IS NULL OR group_by IN ('day', 'zone', 'tariff')",
            name=op.f("ck_report_exports_group_by"),
        ),
        sa.CheckConstraint(
            "report IN ('payments', 'sessions', 'revenue')", name=op.f("ck_report_exports_report")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_report_exports_status"),
        ),
        sa.CheckConstraint(
            "row_count IS NULL OR row_count >= 0",
            name=op.f("ck_report_exports_row_count_not_negative"),
        ),
        sa.CheckConstraint("to_date > from_date", name=op.f("ck_report_exports_period")),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_report_exports_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"], name=op.f("fk_report_exports_zone_id_zones")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_exports")),
    )
    with op.batch_alter_table("report_exports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_exports_status_created_at", ["status", "created_at"], unique=False
        )

    with op.batch_alter_table("parking_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_parking_sessions_starts_at", ["starts_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("parking_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_parking_sessions_starts_at")

    with op.batch_alter_table("report_exports", schema=None) as batch_op:
        batch_op.drop_index("ix_report_exports_status_created_at")

    op.drop_table("report_exports")
