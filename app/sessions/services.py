"""Extend, stop and read parking sessions, and the steps every paid action shares.

Money crosses the network in steps (STYLE.md): the pending session and its payment row are
committed first (claiming the plate, zone and time: the overlap guard is a database
constraint), then Stripe is called with keys derived from the payment row, then the outcome is
committed. Payment outcomes reach the session through `payments.services.payment_changed`, so a
webhook, the settle job and the request itself all move the session the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.services import get_user
from app.db import db, utcnow
from app.errors import Conflict, field_error
from app.pagination import Page, paginate
from app.sessions.errors import (
    NotExtendable,
    PaymentInProgress,
    SessionEnded,
    SessionNotFound,
    SessionOverlap,
)
from app.sessions.models import OVERLAP_CONSTRAINT, ParkingSession
from app.sessions.settlement import end_session, settle_money
from app.sessions.views import Outcome, PaymentView, effective_end, status_at, view, views
from payments import ledger
from payments import services as payments
from payments.models import OPEN_PAYMENT_STATUSES, Payment
from zones import pricing
from zones.services import pricing_refusal, pricing_tariff


@dataclass(frozen=True)
class ExtendRequest:
    duration_minutes: int | None
    ends_at: datetime | None
    payment_method_id: str | None


def payment_method_for(driver: User, payment_method_id: str | None) -> str:
    if not payment_method_id:
        raise field_error(
            "payment_method_id",
            "A card is needed: this session costs money.",
            reason="payment_method_required",
        )
    return payments.usable_payment_method(driver, payment_method_id)


def commit_claim() -> None:
    """Commit the pending rows; the database refuses an overlapping session here."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if OVERLAP_CONSTRAINT in str(exc.orig):
            raise SessionOverlap() from exc
        if "request_key" in str(exc.orig):
            raise Conflict(
                "A request with this key is running.", reason="request_in_progress"
            ) from exc
        raise


def collect(session_id: uuid.UUID, payment: Payment, customer_id: str | None) -> Outcome:
    """Take the payment; a decline leaves the session cancelled (or the extension undone)."""
    assert customer_id is not None, "a payment method was attached to this customer"
    intent = payments.collect(payment, customer_id)
    session = reload_session(session_id)
    return Outcome(
        view(session, utcnow()), PaymentView.of(reload_payment(payment.id), intent.client_secret)
    )


def extend_session(driver_id: uuid.UUID, session_id: uuid.UUID, request: ExtendRequest) -> Outcome:
    """Move a prepaid session's end later, paying only the difference."""
    now = utcnow()
    session = own_session(driver_id, session_id)
    _require_running(session, now)
    if session.open_ended:
        raise NotExtendable()
    assert session.ends_at is not None
    new_end = request.ends_at or session.ends_at + timedelta(minutes=request.duration_minutes or 0)
    if new_end <= session.ends_at:
        raise field_error("ends_at", "An extension must end after the session's current end.")
    tariff = pricing_tariff(session.tariff)
    try:
        total = pricing.quote(
            tariff, session.profile, session.starts_at, ends_at=new_end
        ).amount_cents
        due = (
            total
            - ledger.money_of_sessions([session.id])
            .get(session.id, ledger.SessionMoney())
            .net_cents
        )
        if due > 0:
            pricing.require_card_minimum(due, tariff.currency)
    except pricing.PricingError as exc:
        raise pricing_refusal(exc) from exc
    session.held_until = new_end
    if due <= 0:  # e.g. the extra time is free
        session.ends_at = new_end
        commit_claim()
        return Outcome(view(session, now), PaymentView.nothing_due())
    driver = get_user(driver_id)
    last = last_payment_of(session)
    method = request.payment_method_id or (last.payment_method_id if last else None)
    payment = payments.open_payment(
        session.id,
        purpose="extension",
        amount_cents=due,
        currency=session.currency,
        payment_method_id=payment_method_for(driver, method),
        target_ends_at=new_end,
    )
    commit_claim()
    return collect(session.id, payment, driver.stripe_customer_id)


def stop_session(driver_id: uuid.UUID, session_id: uuid.UUID) -> Outcome:
    """Stop now: an open-ended session captures the time used, a prepaid one refunds the rest."""
    now = utcnow()
    session = own_session(driver_id, session_id)
    if session.status == "pending_payment":
        payment = open_payment_of(session)
        if payment is not None:
            payment = payments.cancel(payment)
        return Outcome(view(reload_session(session.id), now), PaymentView.nothing_due())
    _require_running(session, now)
    extension = open_payment_of(session)
    if extension is not None:
        payments.cancel(extension)
        session = reload_session(session.id)
    end_session(session, now)
    db.session.commit()
    money = settle_money(reload_session(session_id))
    return Outcome(view(reload_session(session_id), now), money)


def own_session(driver_id: uuid.UUID, session_id: uuid.UUID) -> ParkingSession:
    """A driver's own session; another driver's is "not found", never "forbidden"."""
    session = db.session.get(ParkingSession, session_id)
    if session is None or session.user_id != driver_id:
        raise SessionNotFound()
    return session


def read_session(driver_id: uuid.UUID, session_id: uuid.UUID) -> ParkingSession:
    """A driver's session, brought up to date from Stripe while its payment is unfinished (the
    app polls it after 3-D Secure)."""
    session = own_session(driver_id, session_id)
    payment = open_payment_of(session)
    if payment is not None and payment.stripe_payment_intent_id is not None:
        payments.refresh(payment)
        session = reload_session(session_id)
    return session


def list_sessions(driver_id: uuid.UUID, status: str, *, limit: int, cursor: str | None) -> Page:
    now = utcnow()
    statement = select(ParkingSession).where(ParkingSession.user_id == driver_id)
    end = ParkingSession.ends_at.is_(None) & (ParkingSession.max_ends_at > now) | (
        ParkingSession.ends_at > now
    )
    if status == "active":
        statement = statement.where(ParkingSession.status.in_(("pending_payment", "active")), end)
    elif status == "ended":
        statement = statement.where(ParkingSession.status.in_(("ended", "cancelled")) | ~end)
    statement = statement.options(
        selectinload(ParkingSession.zone), selectinload(ParkingSession.tariff)
    )
    page = paginate(
        statement,
        (ParkingSession.created_at, ParkingSession.id),
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    page.items = views(page.items, now)
    return page


def _require_running(session: ParkingSession, now: datetime) -> None:
    status = status_at(session, now)
    if status == "pending_payment":
        raise PaymentInProgress()
    if status != "active" or effective_end(session) <= now:
        raise SessionEnded()
    if open_payment_of(session) is not None:
        raise PaymentInProgress()


def open_payment_of(session: ParkingSession) -> Payment | None:
    return db.session.scalar(
        select(Payment)
        .where(Payment.session_id == session.id, Payment.status.in_(OPEN_PAYMENT_STATUSES))
        .order_by(Payment.created_at.desc())
        .limit(1)
    )


def last_payment_of(session: ParkingSession) -> Payment | None:
    return db.session.scalar(
        select(Payment)
        .where(Payment.session_id == session.id)
        .order_by(Payment.created_at.desc())
        .limit(1)
    )


def reload_session(session_id: uuid.UUID) -> ParkingSession:
    session = db.session.get(ParkingSession, session_id)
    assert session is not None, "sessions are never deleted"
    return session


def reload_payment(payment_id: uuid.UUID) -> Payment:
    payment = db.session.get(Payment, payment_id)
    assert payment is not None
    return payment


def reload_user(user_id: uuid.UUID) -> User:
    return get_user(user_id)
