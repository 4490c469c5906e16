"""A month of parking in two zones, through the real API and the local Stripe server.

ISSY-1 (paid Mon-Sat 09:00-19:00): one session a working day at 10:00, in turn prepaid,
extended, stopped early (refund), open-ended and stopped (capture), open-ended and left to the
settle job (capture at its max end); a free Sunday session; a dispute. NUIT-2 (paid around the
clock) sells sessions just before and after midnight: at both ends of March and on the night of
the clock change (Sunday 28 March 2027, 02:00 -> 03:00).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.db import db, utcnow
from app.sessions import settlement
from app.sessions.models import ParkingSession
from payments.models import Payment
from tests.payments.test_webhooks import deliver
from tests.support.sessions import paris

ISSY_ACTIONS = ("prepaid", "extended", "stopped_early", "open_ended", "left_running")
HOLIDAYS = {date(2027, 3, 29)}  # Easter Monday: free in ISSY-1


@dataclass
class Month:
    """What the test drove, for what Stripe cannot tell: localstripe knows no disputes."""

    disputes: dict[str, int] = field(default_factory=dict)  # dispute id -> cents
    sessions: int = 0


class Driver:
    def __init__(self, clock: Any, start: Callable[..., Any], client: Any, auth: Any) -> None:
        self.clock, self.start, self.client, self.auth = clock, start, client, auth
        self.month = Month()

    def at(self, moment: datetime) -> None:
        self.clock.move_to(moment)

    def begin(self, **body: Any) -> str:
        response = self.start(**body)
        assert response.status_code == 201, response.get_json()
        self.month.sessions += 1
        return response.get_json()["session"]["id"]

    def post(self, session_id: str, action: str, **body: Any) -> None:
        url = f"/api/v1/sessions/{session_id}/{action}"
        response = self.client.post(url, json=body or None, headers=self.auth())
        assert response.status_code == 200, response.get_json()

    def issy_day(self, day: date, action: str) -> None:
        self.at(paris(day.year, day.month, day.day, 10, 0))
        plate = f"IS-{day.day:03d}-AA"
        if action == "prepaid":
            self.begin(plate=plate, duration_minutes=60)
        elif action == "extended":
            session_id = self.begin(plate=plate, duration_minutes=30)
            self.at(paris(day.year, day.month, day.day, 10, 15))
            self.post(session_id, "extend", duration_minutes=30)
        elif action == "stopped_early":
            session_id = self.begin(plate=plate, duration_minutes=120)
            self.at(paris(day.year, day.month, day.day, 10, 40, 30))
            self.post(session_id, "stop")
        elif action == "open_ended":
            session_id = self.begin(plate=plate, open_ended=True)
            self.at(paris(day.year, day.month, day.day, 11, 7))
            self.post(session_id, "stop")
        else:  # left running: the settle job ends it at its max (12:00) and captures
            self.begin(plate=plate, open_ended=True)
        self.at(paris(day.year, day.month, day.day, 13, 0))
        settlement.settle(utcnow())

    def night(self, start_at: datetime, plate: str, stop_at: datetime | None = None, **body: Any):
        self.at(start_at)
        if not body:
            body = {"duration_minutes": 60}
        session_id = self.begin(zone_code="NUIT-2", plate=plate, **body)
        if stop_at is not None:
            self.at(stop_at)
            self.post(session_id, "stop")

    def dispute(self, at: datetime, plate: str, amount_cents: int) -> None:
        """The bank of the driver of `plate`'s session disputes its charge (a signed webhook)."""
        self.at(at)
        payment = db.session.scalar(
            select(Payment)
            .join(ParkingSession, ParkingSession.id == Payment.session_id)
            .where(ParkingSession.plate == plate.replace("-", ""), Payment.purpose == "start")
        )
        dispute_id = f"dp_{plate}"
        body = {
            "id": dispute_id,
            "object": "dispute",
            "amount": amount_cents,
            "charge": payment.stripe_charge_id,
            "payment_intent": payment.stripe_payment_intent_id,
        }
        response = deliver(self.client, "charge.dispute.created", body, event_id=f"evt_{plate}")
        assert response.get_json() == {"result": "applied"}
        self.month.disputes[dispute_id] = amount_cents


def drive_march(driver: Driver) -> Month:
    driver.night(paris(2027, 2, 28, 23, 30), "NU-001-FE")  # local 28 Feb: before March
    driver.night(paris(2027, 3, 1, 0, 30), "NU-002-MA")  # local 1 March, UTC 28 Feb
    working_days = [
        day
        for day in (date(2027, 3, 1) + timedelta(days=n) for n in range(31))
        if day.weekday() < 6 and day not in HOLIDAYS
    ]
    for index, day in enumerate(working_days):
        driver.issy_day(day, ISSY_ACTIONS[index % len(ISSY_ACTIONS)])
        if day == date(2027, 3, 6):
            driver.at(paris(2027, 3, 7, 10, 0))  # Sunday: free, no card charged
            driver.begin(plate="IS-SUN-AA", duration_minutes=60)
            driver.dispute(paris(2027, 3, 7, 12, 0), "IS-001-AA", 240)
        if day == date(2027, 3, 27):
            _clock_change_night(driver)
    driver.night(paris(2027, 3, 31, 23, 30), "NU-031-MA")  # local 31 March, UTC 21:30
    driver.night(paris(2027, 4, 1, 0, 30), "NU-001-AP")  # local 1 April, UTC 31 March
    driver.at(paris(2027, 4, 2, 12, 0))
    settlement.settle(utcnow())
    return driver.month


def _clock_change_night(driver: Driver) -> None:
    driver.night(paris(2027, 3, 27, 23, 30), "NU-027-MA")  # UTC 22:30 on the 27th
    driver.night(paris(2027, 3, 28, 0, 30), "NU-028-MA")  # UTC 23:30 on the 27th
    # 01:30 CET + 120 min = 04:30 CEST; stopped at 03:10 CEST after 40 minutes: 80 refunded.
    driver.night(
        paris(2027, 3, 28, 1, 30),
        "NU-128-MA",
        stop_at=paris(2027, 3, 28, 3, 10),
        duration_minutes=120,
    )
    # Open-ended from 23:30 CEST, captured at 00:40 on the 29th (UTC 22:40 on the 28th).
    driver.night(
        paris(2027, 3, 28, 23, 30), "NU-228-MA", stop_at=paris(2027, 3, 29, 0, 40), open_ended=True
    )
