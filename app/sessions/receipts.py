"""A session's receipt, built from its ledger rows (never from what we meant to charge)."""

from __future__ import annotations

import uuid
from typing import Any

from app.sessions.services import own_session
from payments import ledger
from zones import pricing
from zones.services import pricing_tariff


def receipt(driver_id: uuid.UUID, session_id: uuid.UUID) -> dict[str, Any]:
    session = own_session(driver_id, session_id)
    entries = ledger.entries_of_session(session.id)
    money = ledger.money_of_sessions([session.id]).get(session.id, ledger.SessionMoney())
    return {
        "session_id": session.id,
        "plate": session.plate,
        "zone_code": session.zone.code,
        "zone_name": session.zone.name,
        "profile": session.profile,
        "tariff_version": session.tariff.version,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "currency": session.currency,
        "paid_cents": money.paid_cents,
        "refunded_cents": money.refunded_cents,
        "disputed_cents": money.disputed_cents,
        "net_cents": money.net_cents - money.disputed_cents,
        "card_minimum_applied": _card_minimum_applied(session, money.paid_cents),
        "lines": [
            {
                "kind": entry.kind,
                "amount_cents": entry.amount_cents,
                "occurred_at": entry.occurred_at,
                "reference": entry.stripe_object_id,
            }
            for entry in entries
        ],
    }


def _card_minimum_applied(session: Any, paid_cents: int) -> bool:
    """An open-ended session whose time cost less than the card minimum paid the minimum."""
    if not session.open_ended or session.ends_at is None or paid_cents == 0:
        return False
    tariff = pricing_tariff(session.tariff)
    profile = tariff.profiles[session.profile]
    minutes = min(
        pricing.chargeable_minutes(tariff, session.starts_at, session.ends_at),
        pricing.max_chargeable_minutes(tariff, session.profile),
    )
    return pricing.price_cents(profile, minutes) < paid_cents
