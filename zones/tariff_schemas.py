"""A tariff version as TARIFFS.md writes it, in and out. Errors are keyed by top-level field
(`paid_hours`, `profiles`, ...), each message saying where inside it the problem is."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from app.fields import Cents, Instant
from zones.pricing import MIN_CARD_CHARGE_CENTS
from zones.tariff_rules import MAX_STAY_MINUTES, RulesError, clean_paid_hours, clean_profiles

TARIFF_STATUSES = ("scheduled", "in_force", "superseded")
MAX_GRACE_MINUTES = 60
MAX_FPS_CENTS = 1_000_000


class PaidHoursField(fields.List):
    """`[{"days": ["mon", ...], "from": "09:00", "to": "19:00"}, ...]` in the zone's local time."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault(
            "example", [{"days": ["mon", "tue", "wed"], "from": "09:00", "to": "19:00"}]
        )
        super().__init__(fields.Dict(), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return clean_paid_hours(value)
        except RulesError as exc:
            raise ValidationError(exc.messages) from exc


class ProfilesField(fields.Dict):
    """`{"visitor": {"price_points": [[0, 0], [60, 240]], "max_stay_minutes": 120}, ...}`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault(
            "example", {"visitor": {"price_points": [[0, 0], [60, 240], [120, 600]]}}
        )
        super().__init__(keys=fields.String(), values=fields.Dict(), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return clean_profiles(value)
        except RulesError as exc:
            raise ValidationError(exc.messages) from exc


class TariffVersionSchema(Schema):
    zone_code = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Set by the service."})
    status = fields.String(dump_only=True, metadata={"enum": list(TARIFF_STATUSES)})
    effective_from = Instant(
        required=True, metadata={"description": "After now: versions in force never change."}
    )
    currency = fields.String(required=True, validate=validate.OneOf(sorted(MIN_CARD_CHARGE_CENTS)))
    paid_hours = PaidHoursField(required=True)
    free_on_public_holidays = fields.Boolean(load_default=True)
    max_stay_minutes = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, MAX_STAY_MINUTES)
    )
    grace_minutes = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(0, MAX_GRACE_MINUTES)
    )
    fps_amount_cents = Cents(required=True, validate=validate.Range(0, MAX_FPS_CENTS))
    refund_unused = fields.Boolean(load_default=True)
    profiles = ProfilesField(required=True)
    created_at = Instant(dump_only=True)
