"""Start, extend, stop and read parking sessions.

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
from app.accounts.services import get_user, get_vehicle
from app.db import db, new_id, utcnow
from app.errors import Conflict, Forbidden, NotFound, field_error
from app.pagination import Page, paginate
from app.plates import Plate
from app.sessions.models import OVERLAP_CONSTRAINT, ParkingSession
from app.sessions.settlement import end_session, settle_money
from app.sessions.views import Outcome, PaymentView, effective_end, status_at, view, views
from payments import ledger
from payments import services as payments
from payments.models import OPEN_PAYMENT_STATUSES, Payment
from zones import pricing
from zones.permits import has_profile_permit
from zones.services import ZoneInactive, get_zone, pricing_refusal, pricing_tariff, tariff_in_force


class SessionNotFound(NotFound):
    reason = "session_not_found"
    message = "No such session."


class SessionOverlap(Conflict):
    reason = "session_overlap"
    message = "This plate already has a session in this zone at that time."


class SessionEnded(Conflict):
    reason = "session_ended"
    message = "This session has ended."


class PaymentInProgress(Conflict):
    reason = "payment_in_progress"
    message = "A payment of this session is still being made; finish it or wait."


class NotExtendable(Conflict):
    reason = "session_open_ended"
    message = "A pay-for-the-time-used session runs until stopped; it cannot be extended."


class ProfileNotAllowed(Forbidden):
    reason = "profile_not_allowed"
    message = "This plate holds no permit for that profile in this zone."


@dataclass(frozen=True)
class StartRequest:
    zone_code: str
    plate: Plate | None
    vehicle_id: uuid.UUID | None
    duration_minutes: int | None
    ends_at: datetime | None
    open_ended: bool
    payment_method_id: str | None
    profile: str


@dataclass(frozen=True)
class ExtendRequest:
    duration_minutes: int | None
    ends_at: datetime | None
    payment_method_id: str | None


def start_session(driver_id: uuid.UUID, request: StartRequest, request_key: str | None) -> Outcome:
    """Start a session now: price it, claim the slot, take the payment."""
    if request_key is not None:
        earlier = db.session.scalar(
            select(ParkingSession).where(ParkingSession.request_key == request_key)
        )
        if earlier is not None and earlier.user_id == driver_id:
            return _resume(earlier)
    now = utcnow()
    driver = get_user(driver_id)
    plate = _plate_of(driver, request)
    zone = get_zone(request.zone_code)
    if not zone.active:
        raise ZoneInactive()
    version = tariff_in_force(zone, now)
    tariff = pricing_tariff(version)
    _check_profile(tariff, request.profile, plate, zone.id, now)
    session = ParkingSession(
        id=new_id(),
        user_id=driver.id,
        vehicle_id=request.vehicle_id,
        plate=plate.normalized,
        plate_raw=plate.raw,
        zone_id=zone.id,
        tariff_version_id=version.id,
        profile=request.profile,
        open_ended=request.open_ended,
        starts_at=now,
        currency=tariff.currency,
        request_key=request_key,
    )
    due = _price_start(session, tariff, request, now)
    payment_method = _payment_method(driver, request.payment_method_id) if due else None
    if due:
        session.status = "pending_payment"
    else:
        session.status, session.covered_from = "active", now
    db.session.add(session)
    payment = None
    if due:
        payment = payments.open_payment(
            session.id,
            purpose="authorisation" if request.open_ended else "start",
            amount_cents=due,
            currency=tariff.currency,
            payment_method_id=payment_method,
            manual_capture=request.open_ended,
        )
    _commit_claim()
    if payment is None:
        return Outcome(view(session, now), PaymentView.nothing_due())
    return _collect(session.id, payment, driver.stripe_customer_id)


def _plate_of(driver: User, request: StartRequest) -> Plate:
    if request.vehicle_id is not None:
        vehicle = get_vehicle(driver.id, request.vehicle_id)
        return Plate(raw=vehicle.plate_raw, normalized=vehicle.plate)
    assert request.plate is not None, "the schema requires a plate or a vehicle"
    return request.plate


def _check_profile(
    tariff: pricing.Tariff, profile: str, plate: Plate, zone_id: uuid.UUID, now: datetime
) -> None:
    if profile not in tariff.profiles:
        raise field_error(
            "profile", "This zone's tariff has no such profile.", reason="unknown_profile"
        )
    if profile != pricing.VISITOR and not has_profile_permit(
        plate.normalized, zone_id, profile, now
    ):
        raise ProfileNotAllowed()


def _price_start(
    session: ParkingSession, tariff: pricing.Tariff, request: StartRequest, now: datetime
) -> int:
    """Set the session's end, max end and held time; return the amount due now."""
    try:
        if request.open_ended:
            session.max_ends_at = pricing.open_ended_ends_at(tariff, request.profile, now)
            session.held_until = session.max_ends_at
            due = pricing.open_ended_authorisation_cents(tariff, request.profile)
            session.authorised_cents = due
            return due
        duration = timedelta(minutes=request.duration_minutes) if request.duration_minutes else None
        quote = pricing.quote(
            tariff, request.profile, now, ends_at=request.ends_at, duration=duration
        )
        session.ends_at = session.held_until = quote.ends_at
        session.max_ends_at = quote.max_ends_at or quote.ends_at
        if quote.amount_cents:
            pricing.require_card_minimum(quote.amount_cents, tariff.currency)
        return quote.amount_cents
    except pricing.PricingError as exc:
        raise pricing_refusal(exc) from exc


def _payment_method(driver: User, payment_method_id: str | None) -> str:
    if not payment_method_id:
        raise field_error(
            "payment_method_id",
            "A card is needed: this session costs money.",
            reason="payment_method_required",
        )
    return payments.usable_payment_method(driver, payment_method_id)


def _commit_claim() -> None:
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


def _collect(session_id: uuid.UUID, payment: Payment, customer_id: str | None) -> Outcome:
    """Take the payment; a decline leaves the session cancelled (or the extension undone)."""
    assert customer_id is not None, "a payment method was attached to this customer"
    intent = payments.collect(payment, customer_id)
    session = _reload(session_id)
    return Outcome(
        view(session, utcnow()), PaymentView.of(_reload_payment(payment.id), intent.client_secret)
    )


def _resume(session: ParkingSession) -> Outcome:
    """A retried start (same Idempotency-Key) whose first attempt did not finish."""
    payment = _open_payment(session)
    if payment is None:
        last = _last_payment(session)
        shown = PaymentView.of(last) if last is not None else PaymentView.nothing_due()
        return Outcome(view(session, utcnow()), shown)
    if payment.status in ("pending", "requires_confirmation"):
        return _collect(session.id, payment, _reload_user(session.user_id).stripe_customer_id)
    payment = payments.refresh(payment)
    return Outcome(view(_reload(session.id), utcnow()), PaymentView.of(payment))


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
        _commit_claim()
        return Outcome(view(session, now), PaymentView.nothing_due())
    driver = get_user(driver_id)
    last = _last_payment(session)
    method = request.payment_method_id or (last.payment_method_id if last else None)
    payment = payments.open_payment(
        session.id,
        purpose="extension",
        amount_cents=due,
        currency=session.currency,
        payment_method_id=_payment_method(driver, method),
        target_ends_at=new_end,
    )
    _commit_claim()
    return _collect(session.id, payment, driver.stripe_customer_id)


def stop_session(driver_id: uuid.UUID, session_id: uuid.UUID) -> Outcome:
    """Stop now: an open-ended session captures the time used, a prepaid one refunds the rest."""
    now = utcnow()
    session = own_session(driver_id, session_id)
    if session.status == "pending_payment":
        payment = _open_payment(session)
        if payment is not None:
            payment = payments.cancel(payment)
        return Outcome(view(_reload(session.id), now), PaymentView.nothing_due())
    _require_running(session, now)
    extension = _open_payment(session)
    if extension is not None:
        payments.cancel(extension)
        session = _reload(session.id)
    end_session(session, now)
    db.session.commit()
    money = settle_money(_reload(session_id))
    return Outcome(view(_reload(session_id), now), money)


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
    payment = _open_payment(session)
    if payment is not None and payment.stripe_payment_intent_id is not None:
        payments.refresh(payment)
        session = _reload(session_id)
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
    if _open_payment(session) is not None:
        raise PaymentInProgress()


def _open_payment(session: ParkingSession) -> Payment | None:
    return db.session.scalar(
        select(Payment)
        .where(Payment.session_id == session.id, Payment.status.in_(OPEN_PAYMENT_STATUSES))
        .order_by(Payment.created_at.desc())
        .limit(1)
    )


def _last_payment(session: ParkingSession) -> Payment | None:
    return db.session.scalar(
        select(Payment)
        .where(Payment.session_id == session.id)
        .order_by(Payment.created_at.desc())
        .limit(1)
    )


def _reload(session_id: uuid.UUID) -> ParkingSession:
    session = db.session.get(ParkingSession, session_id)
    assert session is not None, "sessions are never deleted"
    return session


def _reload_payment(payment_id: uuid.UUID) -> Payment:
    payment = db.session.get(Payment, payment_id)
    assert payment is not None
    return payment


def _reload_user(user_id: uuid.UUID) -> User:
    return get_user(user_id)
