"""What the zones API reads and answers: zones, locate and quotes (tariffs: tariff_schemas.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.errors import Unprocessable
from app.fields import Cents, Instant
from app.pagination import PageArgsSchema
from app.plates import PlateField
from zones.geometry import GeometryField
from zones.models import PERMIT_KINDS
from zones.pricing import VISITOR
from zones.quotes import MAX_QUOTE_MINUTES, MAX_QUOTE_SPAN
from zones.zone_checks import check_holiday_region, check_timezone, check_zone_code

QUOTE_BY = ("duration_minutes", "ends_at", "amount_cents")


def _checked_by(check: Callable[[str], object]) -> Callable[[str], None]:
    """A marshmallow validator from a service check, so both refuse with the same words."""

    def validator(value: str) -> None:
        try:
            check(value)
        except Unprocessable as exc:
            raise ValidationError([m for ms in exc.errors.values() for m in ms]) from exc

    return validator


class ZoneSchema(Schema):
    code = fields.String(
        required=True, validate=_checked_by(check_zone_code), metadata={"example": "ISSY-CENTRE"}
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    geometry = GeometryField(required=True)
    timezone = fields.String(
        load_default=None,
        validate=_checked_by(check_timezone),
        metadata={"description": "IANA time zone of the tariffs; the city's by default."},
    )
    country = fields.String(
        load_default=None,
        validate=_checked_by(lambda country: check_holiday_region(country, None)),
        metadata={"description": "ISO country of the public holidays; the city's by default."},
    )
    subdivision = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=8)
    )
    active = fields.Boolean(load_default=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class ZoneUpdateSchema(Schema):
    """Every field optional; the code, printed on the signs, never changes."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    geometry = GeometryField()
    timezone = fields.String(validate=_checked_by(check_timezone))
    country = fields.String(
        validate=_checked_by(lambda country: check_holiday_region(country, None))
    )
    subdivision = fields.String(allow_none=True, validate=validate.Length(min=1, max=8))
    active = fields.Boolean()


class ZoneListArgsSchema(PageArgsSchema):
    active = fields.Boolean(load_default=None)


class LocateArgsSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))


class LocatedZonesSchema(Schema):
    items = fields.List(fields.Nested(ZoneSchema))


class QuoteArgsSchema(Schema):
    starts_at = Instant(load_default=None, metadata={"description": "Now by default."})
    # Query strings are text: these integers are read from "30", not strictly typed as in JSON.
    duration_minutes = fields.Integer(
        validate=validate.Range(1, MAX_QUOTE_MINUTES), load_default=None
    )
    ends_at = Instant(load_default=None)
    amount_cents = fields.Integer(validate=validate.Range(1, 10_000_000), load_default=None)
    profile = fields.String(load_default=VISITOR, validate=validate.Length(min=1, max=32))

    @validates_schema
    def _exactly_one_way(self, data: dict[str, Any], **kwargs: Any) -> None:
        given = [name for name in QUOTE_BY if data.get(name) is not None]
        if len(given) != 1:
            message = "Give exactly one of duration_minutes, ends_at or amount_cents."
            raise ValidationError({name: [message] for name in given or QUOTE_BY})
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at is not None and ends_at is not None:
            if ends_at <= starts_at:
                raise ValidationError({"ends_at": ["Must be after starts_at."]})
            if ends_at - starts_at > MAX_QUOTE_SPAN:
                raise ValidationError({"ends_at": ["Must be within 7 days of starts_at."]})


class QuoteSchema(Schema):
    zone_code = fields.String()
    profile = fields.String()
    starts_at = Instant()
    ends_at = Instant()
    chargeable_minutes = fields.Integer()
    amount_cents = Cents()
    currency = fields.String()
    max_ends_at = Instant(allow_none=True)
    min_charge_cents = Cents()
    fps_amount_cents = Cents()
    tariff_version = fields.Integer()


class PermitSchema(Schema):
    id = fields.String(dump_only=True)
    plate = PlateField(required=True, metadata={"example": "AB-123-CD"})
    kind = fields.String(required=True, validate=validate.OneOf(PERMIT_KINDS))
    zone_codes = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)),
        required=True,
        validate=validate.Length(min=1, max=100),
    )
    valid_from = Instant(required=True)
    valid_until = Instant(required=True, metadata={"description": "Exclusive."})
    revoked = fields.Boolean(dump_only=True)
    revoked_at = Instant(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)

    @validates_schema
    def _ends_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        if {"valid_from", "valid_until"} <= data.keys() and data["valid_until"] <= data[
            "valid_from"
        ]:
            raise ValidationError({"valid_until": ["Must be after valid_from."]})


class PermitListArgsSchema(PageArgsSchema):
    plate = PlateField(load_default=None)
    zone = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
