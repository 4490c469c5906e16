"""People, devices and vehicles."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, created_at_column, id_column, sql_in

ROLES = ("driver", "officer", "finance", "admin")
STAFF_ROLES = ("officer", "finance", "admin")
# Devices (scan cars, handhelds without a person's login) authenticate with an API key.
DEVICE_ROLE = "device"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(sql_in("role", ROLES), name="role"),)

    id: Mapped[uuid.UUID] = id_column()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at_column()
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    vehicles: Mapped[list[Vehicle]] = relationship(back_populates="owner", passive_deletes=True)


class RefreshToken(Base):
    """A refresh token is shown once; only its SHA-256 is kept. Logout sets `revoked_at`."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = id_column()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Device(Base):
    """A scan car or handheld. Its API key is shown once; only the key's SHA-256 is kept."""

    __tablename__ = "devices"

    id: Mapped[uuid.UUID] = id_column()
    name: Mapped[str] = mapped_column(String(100))
    key_prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    revoked_at: Mapped[datetime | None]


class Vehicle(Base):
    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("user_id", "plate"),)

    id: Mapped[uuid.UUID] = id_column()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plate: Mapped[str] = mapped_column(String(16))
    plate_raw: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at_column()

    owner: Mapped[User] = relationship(back_populates="vehicles")
