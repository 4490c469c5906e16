"""Payments (one per Stripe PaymentIntent), the money ledger, and the webhook events applied."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, created_at_column, id_column, sql_in, utcnow

PURPOSES = ("start", "extension", "authorisation")
# Our row is created before Stripe is called ("pending"); then it mirrors the PaymentIntent.
PAYMENT_STATUSES = (
    "pending",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "succeeded",
    "failed",
    "canceled",
)
OPEN_PAYMENT_STATUSES = ("pending", "requires_confirmation", "requires_action", "processing")
LEDGER_KINDS = ("charge", "capture", "refund", "dispute")


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(sql_in("purpose", PURPOSES), name="purpose"),
        CheckConstraint(sql_in("status", PAYMENT_STATUSES), name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "captured_cents IS NULL OR captured_cents <= amount_cents", name="capture_within_hold"
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parking_sessions.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), default="pending")
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    manual_capture: Mapped[bool] = mapped_column(default=False)
    captured_cents: Mapped[int | None]
    payment_method_id: Mapped[str] = mapped_column(String(64))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    stripe_charge_id: Mapped[str | None] = mapped_column(String(64))
    decline_code: Mapped[str | None] = mapped_column(String(64))
    # An extension moves the session's end to this instant once it is paid.
    target_ends_at: Mapped[datetime | None]
    authorised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def stripe_key(self) -> str:
        """The root of the idempotency keys of every Stripe call about this payment."""
        return f"payment-{self.id}"


class LedgerEntry(Base):
    """One money movement, never changed: charges and captures are positive, refunds and disputes
    negative. Keyed by the Stripe object that moved the money, so the same movement seen in an
    API answer and again in a webhook is one row.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(sql_in("kind", LEDGER_KINDS), name="kind"),
        CheckConstraint(
            "(kind IN ('charge', 'capture') AND amount_cents > 0)"
            " OR (kind IN ('refund', 'dispute') AND amount_cents < 0)",
            name="amount_sign",
        ),
        Index("ix_ledger_entries_occurred_at_id", "occurred_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parking_sessions.id"), index=True)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id"))
    stripe_object_id: Mapped[str] = mapped_column(String(64), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64))
    stripe_charge_id: Mapped[str | None] = mapped_column(String(64))
    fee_cents: Mapped[int | None]
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = created_at_column()


class WebhookEvent(Base):
    """A Stripe event applied once: its id is claimed before it is applied."""

    __tablename__ = "stripe_webhook_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = created_at_column()
