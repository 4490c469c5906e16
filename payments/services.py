"""Payments with Stripe, in steps: our row first, then Stripe, then the outcome.

No database transaction is open while Stripe is called: each function that talks to Stripe
commits what it has before the call and records the answer in a new transaction. Everything
Stripe confirms is written to the ledger (payments.ledger), once per Stripe object.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from blinker import Namespace
from sqlalchemy import select

from app.accounts.models import User
from app.db import db, utcnow
from app.errors import NotFound
from payments import ledger
from payments.gateway import Card, Intent, PaymentDeclined, UnknownPaymentMethod, gateway
from payments.models import Payment

_signals = Namespace()
# Sent with the payment whenever its status changed, whatever changed it (an API answer, a
# webhook, the settle job). Sessions listen to it to activate, cancel or extend themselves.
payment_changed = _signals.signal("payment-changed")

# The order payments move in; a late or replayed answer never moves one back.
_PROGRESS = {
    "pending": 0,
    "requires_confirmation": 1,
    "requires_action": 2,
    "processing": 3,
    "requires_capture": 4,
    "succeeded": 5,
    "failed": 5,
    "canceled": 5,
}
FINAL_STATUSES = ("succeeded", "failed", "canceled")


class PaymentMethodNotFound(NotFound):
    reason = "payment_method_not_found"
    message = "No such card on your account."


# Cards
def ensure_customer(user: User) -> str:
    """The driver's Stripe customer, created on first need (idempotent by user id)."""
    if user.stripe_customer_id is None:
        user_id, email = str(user.id), user.email
        db.session.commit()
        user.stripe_customer_id = gateway().create_customer(user_id, email)
        db.session.commit()
    return user.stripe_customer_id


def start_card_setup(user: User) -> str:
    """A SetupIntent's client_secret: the app collects the card with Stripe, never with us."""
    customer_id = ensure_customer(user)
    return gateway().create_setup_intent(customer_id)[1]


def list_cards(user: User) -> list[Card]:
    if user.stripe_customer_id is None:
        return []
    return gateway().list_cards(user.stripe_customer_id)


def remove_card(user: User, payment_method_id: str) -> None:
    try:
        owner = gateway().payment_method_customer(payment_method_id)
    except UnknownPaymentMethod:
        owner = None
    if user.stripe_customer_id is None or owner != user.stripe_customer_id:
        raise PaymentMethodNotFound()
    gateway().detach_payment_method(payment_method_id)


def usable_payment_method(user: User, payment_method_id: str) -> str:
    """A card the driver may pay with: one of theirs, or a new one the app just created, which is
    attached to them. Another customer's card is refused (422 unknown_payment_method)."""
    customer_id = ensure_customer(user)
    owner = gateway().payment_method_customer(payment_method_id)
    if owner is None:
        gateway().attach_payment_method(payment_method_id, customer_id)
    elif owner != customer_id:
        raise UnknownPaymentMethod()
    return payment_method_id


# Payments
def open_payment(
    session_id: uuid.UUID,
    *,
    purpose: str,
    amount_cents: int,
    currency: str,
    payment_method_id: str,
    manual_capture: bool = False,
    target_ends_at: datetime | None = None,
) -> Payment:
    """Our row for a payment about to be asked of Stripe (the caller commits it first)."""
    payment = Payment(
        session_id=session_id,
        purpose=purpose,
        amount_cents=amount_cents,
        currency=currency,
        payment_method_id=payment_method_id,
        manual_capture=manual_capture,
        target_ends_at=target_ends_at,
        status="pending",
    )
    db.session.add(payment)
    return payment


def collect(payment: Payment, customer_id: str) -> Intent:
    """Create the PaymentIntent (if not done yet), then confirm it: charge or authorise.

    Safe to call again after any failure: both steps carry keys derived from the payment.
    Raises PaymentDeclined (the payment is then `failed`) or PaymentProviderUnavailable.
    """
    payment_id, key = payment.id, payment.stripe_key
    intent_id = payment.stripe_payment_intent_id
    if intent_id is None:
        request = {
            "amount_cents": payment.amount_cents,
            "currency": payment.currency,
            "customer_id": customer_id,
            "payment_method_id": payment.payment_method_id,
            "manual_capture": payment.manual_capture,
            "metadata": {"payment_id": str(payment_id), "session_id": str(payment.session_id)},
        }
        db.session.commit()
        created = gateway().create_intent(key=key, **request)
        intent_id = created.id
        record_intent(_reload(payment_id), created)
    db.session.commit()
    try:
        intent = gateway().confirm_intent(intent_id, key=key)
    except PaymentDeclined as declined:
        record_failure(_reload(payment_id), declined.decline_code)
        db.session.commit()
        raise
    record_intent(_reload(payment_id), intent)
    db.session.commit()
    return intent


def refresh(payment: Payment) -> Payment:
    """Bring a payment up to date from Stripe (after 3-D Secure, or when an answer was lost)."""
    if payment.stripe_payment_intent_id is None or payment.status in FINAL_STATUSES:
        return payment
    payment_id, intent_id = payment.id, payment.stripe_payment_intent_id
    db.session.commit()
    intent = gateway().retrieve_intent(intent_id)
    payment = _reload(payment_id)
    record_intent(payment, intent)
    db.session.commit()
    return payment


def capture(payment: Payment, amount_cents: int) -> Payment:
    """Capture `amount_cents` of an authorisation (the rest is released), or cancel it at 0."""
    if payment.status != "requires_capture":
        return payment
    payment_id, intent_id, key = payment.id, payment.stripe_payment_intent_id, payment.stripe_key
    db.session.commit()
    if amount_cents == 0:
        intent = gateway().cancel_intent(intent_id, key=key)
    else:
        intent = gateway().capture_intent(intent_id, amount_cents, key=key)
    payment = _reload(payment_id)
    if intent.status == "succeeded":
        payment.captured_cents = amount_cents
        ledger.record_capture(payment, intent.charge_id or intent.id, amount_cents, utcnow())
    _move(payment, intent.status)
    db.session.commit()
    return payment


def cancel(payment: Payment) -> Payment:
    """Cancel a payment that has not succeeded (3-D Secure abandoned, session cancelled)."""
    if payment.status in FINAL_STATUSES:
        return payment
    payment_id, intent_id, key = payment.id, payment.stripe_payment_intent_id, payment.stripe_key
    db.session.commit()
    if intent_id is not None:
        intent = gateway().cancel_intent(intent_id, key=key)
        payment = _reload(payment_id)
        record_intent(payment, intent)
    else:  # never reached Stripe: nothing to cancel there
        payment = _reload(payment_id)
        _move(payment, "canceled")
    db.session.commit()
    return payment


def record_intent(payment: Payment, intent: Intent) -> None:
    """Apply what Stripe says of the PaymentIntent to our row, and to the ledger."""
    payment.stripe_payment_intent_id = intent.id
    if intent.charge_id:
        payment.stripe_charge_id = intent.charge_id
    status = "failed" if intent.status == "requires_payment_method" else intent.status
    if status == "requires_capture" and payment.authorised_at is None:
        payment.authorised_at = utcnow()
    if status == "succeeded" and not payment.manual_capture:
        ledger.record_charge(payment, intent.charge_id or intent.id, payment.amount_cents, utcnow())
    elif status == "succeeded" and payment.captured_cents is None and intent.amount_received_cents:
        # A capture whose answer we lost, learnt from Stripe (webhook or retrieve).
        payment.captured_cents = intent.amount_received_cents
        ledger.record_capture(
            payment, intent.charge_id or intent.id, payment.captured_cents, utcnow()
        )
    if status == "failed" and intent.decline_code:
        payment.decline_code = intent.decline_code
    _move(payment, status)


def record_failure(payment: Payment, decline_code: str | None) -> None:
    payment.decline_code = decline_code
    _move(payment, "failed")


def _move(payment: Payment, status: str) -> None:
    if payment.status in FINAL_STATUSES or _PROGRESS[status] <= _PROGRESS[payment.status]:
        return
    payment.status = status
    db.session.flush()
    payment_changed.send(payment)


def _reload(payment_id: uuid.UUID) -> Payment:
    payment = db.session.get(Payment, payment_id)
    assert payment is not None, "payments are never deleted"
    return payment


def payment_by_intent(intent_id: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent_id))


def refund_session(session_id: uuid.UUID, amount_cents: int) -> int:
    """Refund `amount_cents` of a session over its charges, newest first; returns what was
    refunded. Safe to repeat: a charge's refund key is fixed, and what is left to refund on
    each charge is read from the ledger."""
    remaining = amount_cents
    for payment, refundable in ledger.refundable_charges(session_id):
        part = min(refundable, remaining)
        if part <= 0:
            break
        payment_id, charge_id = payment.id, payment.stripe_charge_id
        db.session.commit()
        refund = gateway().refund(
            charge_id or "",
            part,
            key=f"refund-{session_id}-{payment_id}",
            metadata={"session_id": str(session_id), "payment_id": str(payment_id)},
        )
        ledger.record_refund(_reload(payment_id), refund.id, part, utcnow())
        db.session.commit()
        remaining -= part
    return amount_cents - remaining
