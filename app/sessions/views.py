"""What the API answers about a session: its stored row plus what is derived from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.sessions.models import ParkingSession
from payments import ledger
from payments.models import Payment


def status_at(session: ParkingSession, now: datetime) -> str:
    """The contract's status: an active session whose end has passed is `ended`, even before
    the settle job has written so."""
    if session.status == "active" and effective_end(session) <= now:
        return "ended"
    return session.status


def effective_end(session: ParkingSession) -> datetime:
    """When the session stops covering its plate: its end, or its max end while open-ended."""
    return session.ends_at if session.ends_at is not None else session.max_ends_at


@dataclass(frozen=True)
class SessionView:
    session: ParkingSession
    status: str
    amount_cents: int
    refunded_cents: int

    def __getattr__(self, name: str) -> object:
        # Every other field of the answer is the stored row's.
        return getattr(self.session, name)

    @property
    def zone_code(self) -> str:
        return self.session.zone.code

    @property
    def tariff_version(self) -> int:
        return self.session.tariff.version


@dataclass(frozen=True)
class PaymentView:
    """`{status, amount_cents, client_secret?}`; status `none` when nothing is due."""

    status: str
    amount_cents: int
    client_secret: str | None = None

    @classmethod
    def nothing_due(cls) -> PaymentView:
        return cls(status="none", amount_cents=0)

    @classmethod
    def of(cls, payment: Payment, client_secret: str | None = None) -> PaymentView:
        shown_secret = client_secret if payment.status == "requires_action" else None
        return cls(
            status=payment.status, amount_cents=payment.amount_cents, client_secret=shown_secret
        )


@dataclass(frozen=True)
class Outcome:
    session: SessionView
    payment: PaymentView


def views(sessions: Sequence[ParkingSession], now: datetime) -> list[SessionView]:
    """Views of several sessions with their money, in one ledger query."""
    money = ledger.money_of_sessions(session.id for session in sessions)
    empty = ledger.SessionMoney()
    return [
        SessionView(
            session=session,
            status=status_at(session, now),
            amount_cents=money.get(session.id, empty).net_cents,
            refunded_cents=money.get(session.id, empty).refunded_cents,
        )
        for session in sessions
    ]


def view(session: ParkingSession, now: datetime) -> SessionView:
    return views([session], now)[0]
