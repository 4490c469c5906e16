"""The money ledger: one immutable row per money movement, keyed by its Stripe object.

Recording is insert-if-absent on `stripe_object_id`, so the same charge, refund or dispute seen
in an API answer and again in a webhook (or twice in retried webhooks) is one row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, case, func, select

from app.db import db, insert_if_absent
from payments.models import LedgerEntry, Payment

# Ledger kinds that bring money in; refunds and disputes are stored negative.
PAID_KINDS = ("charge", "capture")


@dataclass(frozen=True)
class SessionMoney:
    """A session's money, summed from its ledger rows."""

    paid_cents: int = 0  # charges and captures
    refunded_cents: int = 0  # refunds, as a positive number
    disputed_cents: int = 0  # disputes, as a positive number

    @property
    def net_cents(self) -> int:
        return self.paid_cents - self.refunded_cents


def _from_payment(payment: Payment, kind: str, object_id: str, amount: int, at: datetime) -> bool:
    return insert_if_absent(
        LedgerEntry,
        {
            "id": uuid.uuid4(),
            "kind": kind,
            "amount_cents": amount,
            "currency": payment.currency,
            "session_id": payment.session_id,
            "payment_id": payment.id,
            "stripe_object_id": object_id,
            "stripe_payment_intent_id": payment.stripe_payment_intent_id,
            "stripe_charge_id": payment.stripe_charge_id,
            "occurred_at": at,
            "recorded_at": at,
        },
        ["stripe_object_id"],
    )


def record_charge(payment: Payment, charge_id: str, amount_cents: int, at: datetime) -> bool:
    return _from_payment(payment, "charge", charge_id, amount_cents, at)


def record_capture(payment: Payment, charge_id: str, amount_cents: int, at: datetime) -> bool:
    return _from_payment(payment, "capture", charge_id, amount_cents, at)


def record_refund(payment: Payment, refund_id: str, amount_cents: int, at: datetime) -> bool:
    return _from_payment(payment, "refund", refund_id, -amount_cents, at)


def record_dispute(payment: Payment, dispute_id: str, amount_cents: int, at: datetime) -> bool:
    return _from_payment(payment, "dispute", dispute_id, -amount_cents, at)


def money_of_sessions(session_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SessionMoney]:
    """Paid, refunded and disputed cents of each session, in one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    amount = LedgerEntry.amount_cents
    rows = db.session.execute(
        select(
            LedgerEntry.session_id,
            func.sum(case((LedgerEntry.kind.in_(PAID_KINDS), amount), else_=0)),
            -func.sum(case((LedgerEntry.kind == "refund", amount), else_=0)),
            -func.sum(case((LedgerEntry.kind == "dispute", amount), else_=0)),
        )
        .where(LedgerEntry.session_id.in_(ids))
        .group_by(LedgerEntry.session_id)
    )
    return {row[0]: SessionMoney(int(row[1]), int(row[2]), int(row[3])) for row in rows}


def net_cents_of(session_id: ColumnElement[uuid.UUID]) -> ScalarSelect[int]:
    """A session's `SessionMoney.net_cents` as a correlated subquery, so a statement that reads
    sessions reads their money in the same round trip."""
    return (
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .where(
            LedgerEntry.session_id == session_id,
            LedgerEntry.kind.in_((*PAID_KINDS, "refund")),  # net of refunds, as net_cents
        )
        .scalar_subquery()
    )


def entries_of_session(session_id: uuid.UUID) -> list[LedgerEntry]:
    return list(
        db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.session_id == session_id)
            .order_by(LedgerEntry.occurred_at, LedgerEntry.id)
        )
    )


def refundable_charges(session_id: uuid.UUID) -> list[tuple[Payment, int]]:
    """Each charge of the session with what is left to refund on it, newest first."""
    refunded = (
        select(LedgerEntry.payment_id, func.sum(-LedgerEntry.amount_cents).label("refunded"))
        .where(LedgerEntry.session_id == session_id, LedgerEntry.kind == "refund")
        .group_by(LedgerEntry.payment_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Payment, LedgerEntry.amount_cents, func.coalesce(refunded.c.refunded, 0))
        .join(LedgerEntry, LedgerEntry.payment_id == Payment.id)
        .outerjoin(refunded, refunded.c.payment_id == Payment.id)
        .where(LedgerEntry.session_id == session_id, LedgerEntry.kind.in_(("charge", "capture")))
        .order_by(LedgerEntry.occurred_at.desc())
    )
    return [(payment, int(paid) - int(done)) for payment, paid, done in rows if paid > done]
