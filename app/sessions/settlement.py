"""Money that moves after a session changes, and the jobs that finish it.

`settle` is run by cron on several machines at once: each session it touches is first leased
(a conditional UPDATE, after `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL), and the lease
is taken in a short transaction that is committed before Stripe is called. A crashed run leaves
leases that expire after two minutes and work that the next run redoes with the same Stripe
idempotency keys.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, func, or_, select, update

from app.db import db, insert_if_absent, utcnow
from app.sessions.models import Notification, ParkingSession
from app.sessions.views import PaymentView
from payments import ledger
from payments import services as payments
from payments.gateway import PaymentProviderUnavailable
from payments.models import OPEN_PAYMENT_STATUSES, Payment
from zones import pricing
from zones.services import pricing_tariff

log = logging.getLogger(__name__)

# 3-D Secure not completed within this time cancels the session (CONTRACT.md, Statuses).
ABANDONED_AFTER = timedelta(minutes=15)
LEASE = timedelta(minutes=2)
# A card hold lapses after about 7 days: capture what is owed well before.
HOLD_SAFETY = timedelta(days=6, hours=12)
REMIND_BEFORE = timedelta(minutes=10)
BATCH_SIZE = 200


def end_session(session: ParkingSession, at: datetime) -> None:
    """Mark a running session ended at `at` (stopped, or reached its max); money follows."""
    end = min(at, session.max_ends_at) if session.open_ended else at
    if end < (session.ends_at or session.max_ends_at):
        session.stopped_at = end
    session.ends_at = session.held_until = end
    session.status = "ended"
    session.settlement_due = True


def settle_money(session: ParkingSession) -> PaymentView:
    """Capture (pay for the time used) or refund (prepaid, stopped early) what the end decided.

    Safe to repeat. If Stripe cannot be reached, the session stays `settlement_due` for the
    settle job, and the answer says the money is still pending.
    """
    try:
        view = _capture_used_time(session) if session.open_ended else _refund_unused_time(session)
    except PaymentProviderUnavailable:
        db.session.rollback()
        log.warning("settlement of session %s deferred: Stripe unreachable", session.id)
        return PaymentView(status="processing", amount_cents=0)
    session.settlement_due = False
    db.session.commit()
    return view


def _capture_used_time(session: ParkingSession) -> PaymentView:
    payment = db.session.scalar(
        select(Payment).where(Payment.session_id == session.id, Payment.purpose == "authorisation")
    )
    if payment is None:  # it cost nothing to start: nothing was held
        return PaymentView.nothing_due()
    assert session.ends_at is not None
    tariff = pricing_tariff(session.tariff)
    used = pricing.open_ended_capture_cents(
        tariff, session.profile, session.starts_at, session.ends_at
    )
    payment = payments.capture(payment, min(used, payment.amount_cents))
    return PaymentView(status=payment.status, amount_cents=payment.captured_cents or 0)


def _refund_unused_time(session: ParkingSession) -> PaymentView:
    assert session.ends_at is not None
    tariff = pricing_tariff(session.tariff)
    paid = ledger.money_of_sessions([session.id]).get(session.id, ledger.SessionMoney()).net_cents
    _kept, owed = pricing.refund_on_stop(
        tariff, session.profile, session.starts_at, session.ends_at, paid
    )
    if owed <= 0:
        return PaymentView.nothing_due()
    refunded = payments.refund_session(session.id, owed)
    return PaymentView(status="refunded", amount_cents=refunded)


@payments.payment_changed.connect
def follow_payment(payment: Payment) -> None:
    """Move the session as its payment moved (from a request, a webhook or a job)."""
    session = db.session.get(ParkingSession, payment.session_id)
    if session is None:
        return
    paid = payment.status in ("succeeded", "requires_capture")
    gone = payment.status in ("failed", "canceled")
    if payment.purpose == "extension" and session.status == "active":
        if paid and payment.target_ends_at is not None:
            session.ends_at = max(session.ends_at or payment.target_ends_at, payment.target_ends_at)
        elif gone and session.ends_at is not None:
            session.held_until = session.ends_at  # give back the time the extension claimed
    elif session.status == "pending_payment":
        if paid:
            session.status, session.covered_from = "active", utcnow()
        elif gone:
            session.status = "cancelled"
    elif payment.purpose == "authorisation" and gone and session.status == "active":
        # The hold lapsed or was cancelled at Stripe: the session cannot be charged any more.
        log.error("authorisation of running session %s was cancelled at Stripe", session.id)
        end_session(session, utcnow())
        session.settlement_due = False


@dataclass
class SettleReport:
    payments_abandoned: int = 0
    sessions_auto_ended: int = 0
    settlements_finished: int = 0
    sessions_closed: int = 0
    failures: list[str] = field(default_factory=list)


def settle(now: datetime, progress: Callable[[str, int], None] | None = None) -> SettleReport:
    """One pass of the settle job; safe to run on several machines at once, and again."""
    report = SettleReport()
    report.payments_abandoned = _for_each_leased(_abandoned(now), now, _abandon_payments, report)
    report.sessions_auto_ended = _for_each_leased(_due_to_end(now), now, _end_and_capture, report)
    report.settlements_finished = _for_each_leased(_settlement_due(), now, _finish, report)
    report.sessions_closed = _close_elapsed(now)
    if progress:
        progress("settled", report.sessions_auto_ended + report.settlements_finished)
    return report


def _abandoned(now: datetime) -> Select[tuple[uuid.UUID]]:
    stale = select(Payment.session_id).where(
        Payment.status.in_(OPEN_PAYMENT_STATUSES), Payment.created_at < now - ABANDONED_AFTER
    )
    return select(ParkingSession.id).where(ParkingSession.id.in_(stale))


def _due_to_end(now: datetime) -> Select[tuple[uuid.UUID]]:
    lapsing = select(Payment.session_id).where(
        Payment.status == "requires_capture", Payment.authorised_at < now - HOLD_SAFETY
    )
    reached_max = (ParkingSession.ends_at.is_(None)) & (ParkingSession.max_ends_at <= now)
    return select(ParkingSession.id).where(
        ParkingSession.status == "active",
        ParkingSession.open_ended.is_(True),
        reached_max | ParkingSession.id.in_(lapsing),
    )


def _settlement_due() -> Select[tuple[uuid.UUID]]:
    return select(ParkingSession.id).where(ParkingSession.settlement_due.is_(True))


def _abandon_payments(session: ParkingSession, now: datetime) -> None:
    for payment in db.session.scalars(
        select(Payment).where(
            Payment.session_id == session.id, Payment.status.in_(OPEN_PAYMENT_STATUSES)
        )
    ).all():
        payment = payments.refresh(payment)  # 3-D Secure may have been completed meanwhile
        if payment.status in OPEN_PAYMENT_STATUSES:
            payments.cancel(payment)


def _end_and_capture(session: ParkingSession, now: datetime) -> None:
    end_session(session, min(now, session.max_ends_at))
    db.session.commit()
    settle_money(session)


def _finish(session: ParkingSession, now: datetime) -> None:
    settle_money(session)


def _for_each_leased(
    candidates: Select[tuple[uuid.UUID]],
    now: datetime,
    work: Callable[[ParkingSession, datetime], None],
    report: SettleReport,
) -> int:
    done = 0
    for session_id in _lease(candidates, now):
        session = db.session.get(ParkingSession, session_id)
        try:
            work(session, now)
            done += 1
        except Exception as exc:  # one session's trouble must not stop the others
            db.session.rollback()
            report.failures.append(f"{session_id}: {exc}")
            log.exception("settle: session %s left for the next run", session_id)
        _release(session_id)
    return done


def _lease(candidates: Select[tuple[uuid.UUID]], now: datetime) -> list[uuid.UUID]:
    """Take up to BATCH_SIZE candidates that no other worker holds."""
    free = or_(ParkingSession.lease_until.is_(None), ParkingSession.lease_until < now)
    ids = list(
        db.session.scalars(
            candidates.where(free)
            .limit(BATCH_SIZE)
            .with_for_update(skip_locked=True, of=ParkingSession)
        )
    )
    if not ids:
        db.session.commit()
        return []
    taken = db.session.scalars(
        update(ParkingSession)
        .where(ParkingSession.id.in_(ids), free)
        .values(lease_until=now + LEASE)
        .returning(ParkingSession.id)
    ).all()
    db.session.commit()
    return list(taken)


def _release(session_id: uuid.UUID) -> None:
    db.session.execute(
        update(ParkingSession).where(ParkingSession.id == session_id).values(lease_until=None)
    )
    db.session.commit()


def _close_elapsed(now: datetime) -> int:
    """Prepaid sessions whose time is up become `ended` (they stopped covering at their end)."""
    result = db.session.execute(
        update(ParkingSession)
        .where(
            ParkingSession.status == "active",
            ParkingSession.open_ended.is_(False),
            ParkingSession.held_until <= now,
        )
        .values(status="ended")
    )
    db.session.commit()
    return result.rowcount


def remind(now: datetime) -> int:
    """Record one "ends soon" notification per session and end, for sessions ending within
    10 minutes. Safe to run anywhere, any number of times."""
    end = func.coalesce(ParkingSession.ends_at, ParkingSession.max_ends_at)
    already = exists().where(
        Notification.session_id == ParkingSession.id,
        Notification.kind == "ends_soon",
        Notification.session_ends_at == end,
    )
    due = db.session.execute(
        select(ParkingSession.id, ParkingSession.user_id, end.label("end")).where(
            ParkingSession.status == "active", end > now, end <= now + REMIND_BEFORE, ~already
        )
    ).all()
    added = 0
    for session_id, user_id, ends_at in due:
        minutes = max(1, round((ends_at - now).total_seconds() / 60))
        added += insert_if_absent(
            Notification,
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "session_id": session_id,
                "kind": "ends_soon",
                "session_ends_at": ends_at,
                "message": f"Your parking ends in {minutes} minutes; extend it in the app.",
                "created_at": now,
            },
            ["session_id", "kind", "session_ends_at"],
        )
    db.session.commit()
    return added
