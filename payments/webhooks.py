"""Stripe webhooks: verified, applied once per event id, in any order, in one transaction.

Applying an event only changes our rows (no call back to Stripe), so the event's id and its
effects commit together: a crash before the commit leaves nothing, and Stripe's retry applies it.
Unknown event types are acknowledged and ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import db
from payments import ledger
from payments.gateway import intent_from
from payments.models import Payment, WebhookEvent
from payments.services import payment_by_intent, record_intent

log = logging.getLogger(__name__)


def apply_event(event: dict[str, Any]) -> str:
    """Apply a verified event; returns `applied`, `duplicate` or `ignored`."""
    handler = HANDLERS.get(event["type"])
    db.session.add(WebhookEvent(id=event["id"], type=event["type"]))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    if handler is not None:
        handler(event["data"]["object"], _created(event))
    try:
        db.session.commit()
    except IntegrityError:  # the same event delivered twice at once: the other one won
        db.session.rollback()
        return "duplicate"
    return "applied" if handler is not None else "ignored"


def _created(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(event.get("created") or 0), UTC)


def _on_payment_intent(intent: dict[str, Any], _at: datetime) -> None:
    payment = payment_by_intent(intent["id"])
    if payment is None:
        log.info("webhook for a PaymentIntent that is not ours: %s", intent["id"])
        return
    record_intent(payment, intent_from(intent))


def _payment_of_charge(
    charge: dict[str, Any] | str | None, intent_id: str | None
) -> Payment | None:
    charge_id = charge.get("id") if isinstance(charge, dict) else charge
    if intent_id:
        payment = payment_by_intent(intent_id)
        if payment is not None:
            return payment
    if charge_id:
        return db.session.scalar(select(Payment).where(Payment.stripe_charge_id == charge_id))
    return None


def _on_charge_refunded(charge: dict[str, Any], at: datetime) -> None:
    payment = _payment_of_charge(charge, charge.get("payment_intent"))
    if payment is None:
        return
    for refund in (charge.get("refunds") or {}).get("data", []):
        if refund.get("status") in ("succeeded", "pending"):
            refunded_at = datetime.fromtimestamp(int(refund.get("created") or at.timestamp()), UTC)
            ledger.record_refund(payment, refund["id"], int(refund["amount"]), refunded_at)


def _on_dispute_created(dispute: dict[str, Any], at: datetime) -> None:
    payment = _payment_of_charge(dispute.get("charge"), dispute.get("payment_intent"))
    if payment is None:
        return
    ledger.record_dispute(payment, dispute["id"], int(dispute["amount"]), at)


HANDLERS: dict[str, Callable[[dict[str, Any], datetime], None]] = {
    "payment_intent.succeeded": _on_payment_intent,
    "payment_intent.payment_failed": _on_payment_intent,
    "payment_intent.canceled": _on_payment_intent,
    "payment_intent.amount_capturable_updated": _on_payment_intent,
    "payment_intent.requires_action": _on_payment_intent,
    "payment_intent.processing": _on_payment_intent,
    "charge.refunded": _on_charge_refunded,
    "charge.dispute.created": _on_dispute_created,
}
