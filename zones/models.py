"""Zones, their versioned tariffs, and permits (who may park with a non-visitor profile)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, created_at_column, id_column, sql_in, utcnow

PERMIT_KINDS = ("resident", "business", "disabled", "exempt")
# Kinds that exempt the plate from paying; the others open their tariff profile to it.
EXEMPTING_PERMIT_KINDS = ("disabled", "exempt")


def _new_revision(current: int | None) -> int:
    """A random revision, never the current one (31 bits: a sum over every zone fits a BIGINT)."""
    while True:
        revision = secrets.randbelow(2**31 - 1) + 1
        if revision != current:
            return revision


class Zone(Base):
    __tablename__ = "zones"

    id: Mapped[uuid.UUID] = id_column()
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)  # GeoJSON Polygon or MultiPolygon
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2), default="FR")  # public holidays
    subdivision: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A new random value on every write (SQLAlchemy sets it, and refuses a write based on a
    # stale read). The workers' locate indexes fingerprint the zones by (count, sum of
    # revisions): any write from any machine changes it, whatever the clocks and commit order,
    # which max(updated_at) cannot promise.
    revision: Mapped[int] = mapped_column(BigInteger, server_default="0")

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": _new_revision}

    tariffs: Mapped[list[TariffVersion]] = relationship(
        back_populates="zone", order_by="TariffVersion.version"
    )


class TariffVersion(Base):
    """A tariff of TARIFFS.md, immutable once in force. `rules` is the validated document
    (paid_hours, free_on_public_holidays, max_stay_minutes, grace_minutes, fps_amount_cents,
    refund_unused, profiles); zones.services turns it into a `zones.pricing.Tariff`.
    """

    __tablename__ = "tariff_versions"
    __table_args__ = (
        UniqueConstraint("zone_id", "version"),
        UniqueConstraint("zone_id", "effective_from"),
        CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[uuid.UUID] = id_column()
    zone_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("zones.id"))
    version: Mapped[int]
    effective_from: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()

    zone: Mapped[Zone] = relationship(back_populates="tariffs")


permit_zones = Table(
    "permit_zones",
    Base.metadata,
    Column("permit_id", ForeignKey("permits.id", ondelete="CASCADE"), primary_key=True),
    Column("zone_id", ForeignKey("zones.id"), primary_key=True, index=True),
)


class Permit(Base):
    """A plate's right in some zones for a period. Deleting a permit revokes it (the row stays,
    so scan cars syncing the rights feed learn of it)."""

    __tablename__ = "permits"
    __table_args__ = (
        CheckConstraint(sql_in("kind", PERMIT_KINDS), name="kind"),
        CheckConstraint("valid_until > valid_from", name="period"),
        Index("ix_permits_plate_valid_until", "plate", "valid_until"),
    )

    id: Mapped[uuid.UUID] = id_column()
    plate: Mapped[str] = mapped_column(String(16))
    plate_raw: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    zones: Mapped[list[Zone]] = relationship(secondary=permit_zones)

    @property
    def zone_codes(self) -> list[str]:
        return sorted(zone.code for zone in self.zones)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
