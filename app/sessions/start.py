"""Starting a session: price it, claim the plate's slot, take the payment (docs/PAYMENTS.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import get_user, get_vehicle
from app.db import db, new_id, utcnow
from app.errors import field_error
from app.plates import Plate
from app.sessions.errors import ProfileNotAllowed
from app.sessions.models import ParkingSession
from app.sessions.services import (
    collect,
    commit_claim,
    last_payment_of,
    open_payment_of,
    payment_method_for,
    reload_session,
    reload_user,
)
from app.sessions.views import Outcome, PaymentView, view
from payments import services as payments
from zones import pricing
from zones.permits import has_profile_permit
from zones.services import ZoneInactive, get_zone, pricing_refusal, pricing_tariff, tariff_in_force


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
    payment_method = payment_method_for(driver, request.payment_method_id) if due else None
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
    commit_claim()
    if payment is None:
        return Outcome(view(session, now), PaymentView.nothing_due())
    return collect(session.id, payment, driver.stripe_customer_id)


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


def _resume(session: ParkingSession) -> Outcome:
    """A retried start (same Idempotency-Key) whose first attempt did not finish."""
    payment = open_payment_of(session)
    if payment is None:
        last = last_payment_of(session)
        shown = PaymentView.of(last) if last is not None else PaymentView.nothing_due()
        return Outcome(view(session, utcnow()), shown)
    if payment.status in ("pending", "requires_confirmation"):
        return collect(session.id, payment, reload_user(session.user_id).stripe_customer_id)
    payment = payments.refresh(payment)
    return Outcome(view(reload_session(session.id), utcnow()), PaymentView.of(payment))
