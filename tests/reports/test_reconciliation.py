"""A month of traffic reconciles to the cent: Stripe, the ledger, payments.csv, revenue.csv in
every grouping and sessions.csv all give the same money."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.db import db
from payments.models import LedgerEntry
from tests.reports.conftest import read_csv
from tests.reports.traffic import Driver, Month, drive_march
from tests.support.sessions import PARIS

EVERYTHING = {"from": "2027-02-01", "to": "2027-05-01"}
MARCH = {"from": "2027-03-01", "to": "2027-04-01"}
GROUPINGS = ("day", "zone", "tariff")


@dataclass
class StripeSide:
    captured: dict[str, int]  # charge id -> cents captured
    refunded: dict[str, int]  # refund id -> cents, the refunds the service asked for


def _listed(list_method: Any, **params: Any) -> list[dict[str, Any]]:
    """Every object of a Stripe list, page after page (localstripe lists oldest first)."""
    objects: list[dict[str, Any]] = []
    while True:
        page = list_method(params={**params, "limit": 100}).to_dict()
        objects += page["data"]
        if not page["has_more"]:
            return objects
        params["starting_after"] = page["data"][-1]["id"]


def what_stripe_holds(stripe_app: Any, customer_ids: list[str]) -> StripeSide:
    """The money of our customers' charges as the local Stripe server knows it.

    localstripe has no `amount_captured` and, when a manual PaymentIntent is captured for less
    than it held, it invents a Refund of the remainder (Stripe stopped doing that with API
    2025-03-31; STRIPE.md). So a charge's captured amount is its amount minus that invented
    refund, which is recognisable: it carries none of the metadata (session_id, payment_id)
    that every refund the service asks for carries, and only manual captures have one.
    """
    stripe = stripe_app.client.v1
    side = StripeSide({}, {})
    for customer_id in customer_ids:
        for charge in _listed(stripe.charges.list, customer=customer_id):
            if charge["status"] != "succeeded" or not charge["captured"]:
                continue  # declined, or an authorisation released without capture
            refunds = _listed(stripe.refunds.list, charge=charge["id"])
            ours = {r["id"]: r["amount"] for r in refunds if r["metadata"].get("session_id")}
            invented = [r["amount"] for r in refunds if not r["metadata"]]
            intent = stripe.payment_intents.retrieve(charge["payment_intent"])
            assert not invented or (intent["capture_method"] == "manual" and len(invented) == 1)
            side.captured[charge["id"]] = charge["amount"] - sum(invented)
            side.refunded.update(ours)
    return side


def ledger_by_kind() -> dict[str, dict[str, int]]:
    """{kind: {stripe object id: cents}}, cents as the ledger signs them."""
    rows = db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.stripe_object_id, LedgerEntry.amount_cents)
    )
    by_kind: dict[str, dict[str, int]] = {"paid": {}, "refund": {}, "dispute": {}}
    for kind, object_id, cents in rows:
        by_kind["paid" if kind in ("charge", "capture") else kind][object_id] = cents
    return by_kind


def column_total(rows: list[dict[str, str]], name: str) -> int:
    return sum(int(row[name]) for row in rows)


@pytest.fixture
def march(clock, zone, night_zone, start, client, auth) -> Month:
    return drive_march(Driver(clock, start, client, auth))


def test_a_month_of_traffic_reconciles_to_the_cent_with_stripe(march, get_report, stripe_app):
    customers = list(
        db.session.scalars(select(User.stripe_customer_id).where(User.role == "driver"))
    )

    stripe = what_stripe_holds(stripe_app, customers)
    ledger = ledger_by_kind()
    payments = read_csv(get_report("payments.csv", **EVERYTHING).data)
    sessions = read_csv(get_report("sessions.csv", **EVERYTHING).data)
    revenue = {
        g: read_csv(get_report("revenue.csv", group_by=g, **EVERYTHING).data) for g in GROUPINGS
    }

    disputed = march.disputes
    total = sum(stripe.captured.values()) - sum(stripe.refunded.values()) - sum(disputed.values())
    assert ledger["paid"] == stripe.captured
    assert {k: -v for k, v in ledger["refund"].items()} == stripe.refunded
    assert {k: -v for k, v in ledger["dispute"].items()} == disputed
    # 26 working days in turn: 6 prepaid, 5 extended (2 charges), 5 stopped early, 5 + 5
    # open-ended; NUIT-2: 7 prepaid (one stopped early), 1 open-ended.
    assert Counter(row["kind"] for row in payments.rows) == {
        "charge": 6 + 5 * 2 + 5 + 7,
        "capture": 5 + 5 + 1,
        "refund": 5 + 1,
        "dispute": 1,
    }
    assert column_total(payments.rows, "amount_cents") == total
    assert sum(Decimal(row["amount"]) for row in payments.rows) * 100 == total
    assert column_total(sessions.rows, "net_cents") == total
    for grouping in GROUPINGS:
        rows = revenue[grouping].rows
        assert column_total(rows, "net_cents") == total, grouping
        assert column_total(rows, "gross_cents") == sum(stripe.captured.values()), grouping
        assert column_total(rows, "refunds_cents") == -sum(stripe.refunded.values()), grouping
        assert column_total(rows, "disputes_cents") == -sum(disputed.values()), grouping


def test_the_march_report_holds_the_movements_of_march_local_days(march, get_report):
    entries = db.session.execute(select(LedgerEntry.occurred_at, LedgerEntry.amount_cents)).all()
    in_march = [cents for at, cents in entries if at.astimezone(PARIS).month == 3]

    payments = read_csv(get_report("payments.csv", **MARCH).data)
    revenue = {g: read_csv(get_report("revenue.csv", group_by=g, **MARCH).data) for g in GROUPINGS}

    dates = {row["local_date"] for row in payments.rows}
    assert len(in_march) < len(entries)  # 28 Feb 23:30 and 1 April 00:30 are outside
    assert column_total(payments.rows, "amount_cents") == sum(in_march)
    assert len(payments.rows) == len(in_march)
    assert (min(dates), max(dates)) == ("2027-03-01", "2027-03-31")
    assert payments.trailer == f"# end of report: {len(in_march)} rows"
    for grouping in GROUPINGS:
        assert column_total(revenue[grouping].rows, "net_cents") == sum(in_march), grouping
    assert len(revenue["day"].rows) == 31


def test_the_zones_reports_split_the_citys_report_without_remainder(march, get_report):
    def totals(zone: str | None = None) -> tuple[int, int, int]:
        where = {"zone": zone} if zone else {}
        payments = read_csv(get_report("payments.csv", **where, **MARCH).data).rows
        sessions = read_csv(get_report("sessions.csv", **where, **MARCH).data).rows
        by_day = read_csv(get_report("revenue.csv", **where, **MARCH).data).rows
        return (
            column_total(payments, "amount_cents"),
            len(sessions),
            column_total(by_day, "net_cents"),
        )

    city, issy, night = totals(), totals("ISSY-1"), totals("NUIT-2")

    assert city == tuple(a + b for a, b in zip(issy, night, strict=True))
    assert issy[0] == issy[2]
    assert night[0] == night[2]
    assert 0 not in issy + night
