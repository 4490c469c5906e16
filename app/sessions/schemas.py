from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.fields import Cents, Instant
from app.pagination import PageArgsSchema
from app.plates import PlateField

MAX_DURATION_MINUTES = 7 * 24 * 60


def _exactly_one(data: dict[str, Any], names: tuple[str, ...], message: str) -> None:
    given = [name for name in names if data.get(name) not in (None, False)]
    if len(given) != 1:
        raise ValidationError(message, field_name=given[1] if len(given) > 1 else names[0])


class StartSessionSchema(Schema):
    zone_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    plate = PlateField(load_default=None, metadata={"example": "AB-123-CD"})
    vehicle_id = fields.UUID(load_default=None)
    duration_minutes = fields.Integer(
        strict=True, load_default=None, validate=validate.Range(1, MAX_DURATION_MINUTES)
    )
    ends_at = Instant(load_default=None)
    open_ended = fields.Boolean(
        load_default=False, metadata={"description": "Pay for the time used."}
    )
    payment_method_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    profile = fields.String(load_default="visitor", validate=validate.Length(min=1, max=32))

    @validates_schema
    def _one_plate_and_one_length(self, data: dict[str, Any], **_: Any) -> None:
        _exactly_one(data, ("plate", "vehicle_id"), "Give a plate or a vehicle_id, not both.")
        _exactly_one(
            data,
            ("duration_minutes", "ends_at", "open_ended"),
            "Give one of duration_minutes, ends_at or open_ended.",
        )


class ExtendSessionSchema(Schema):
    duration_minutes = fields.Integer(
        strict=True, load_default=None, validate=validate.Range(1, MAX_DURATION_MINUTES)
    )
    ends_at = Instant(load_default=None)
    payment_method_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))

    @validates_schema
    def _one_length(self, data: dict[str, Any], **_: Any) -> None:
        _exactly_one(data, ("duration_minutes", "ends_at"), "Give duration_minutes or ends_at.")


class SessionSchema(Schema):
    id = fields.String()
    status = fields.String(
        metadata={"enum": ["pending_payment", "active", "ended", "cancelled"]},
    )
    plate = fields.String()
    zone_code = fields.String()
    profile = fields.String()
    tariff_version = fields.Integer()
    starts_at = Instant()
    ends_at = Instant(allow_none=True)
    max_ends_at = Instant()
    open_ended = fields.Boolean()
    authorised_cents = Cents()
    amount_cents = Cents(metadata={"description": "Paid so far, net of refunds."})
    refunded_cents = Cents()
    currency = fields.String()


class PaymentOutcomeSchema(Schema):
    status = fields.String(
        metadata={
            "description": "The PaymentIntent's status (succeeded, requires_capture, "
            "requires_action, failed, canceled), `none` when nothing is due, `refunded` when a "
            "stop refunded unused time, `processing` when Stripe is finishing it."
        }
    )
    amount_cents = Cents()
    client_secret = fields.String(
        allow_none=True, metadata={"description": "For 3-D Secure in the app (requires_action)."}
    )


class SessionOutcomeSchema(Schema):
    session = fields.Nested(SessionSchema)
    payment = fields.Nested(PaymentOutcomeSchema)


class SessionListArgsSchema(PageArgsSchema):
    status = fields.String(load_default="all", validate=validate.OneOf(("active", "ended", "all")))


class ReceiptLineSchema(Schema):
    kind = fields.String(metadata={"enum": ["charge", "capture", "refund", "dispute"]})
    amount_cents = Cents(metadata={"description": "Negative for refunds and disputes."})
    occurred_at = Instant()
    reference = fields.String(metadata={"description": "The card processor's reference."})


class ReceiptSchema(Schema):
    session_id = fields.String()
    plate = fields.String()
    zone_code = fields.String()
    zone_name = fields.String()
    profile = fields.String()
    tariff_version = fields.Integer()
    starts_at = Instant()
    ends_at = Instant(allow_none=True)
    currency = fields.String()
    paid_cents = Cents()
    refunded_cents = Cents()
    disputed_cents = Cents()
    net_cents = Cents()
    card_minimum_applied = fields.Boolean(
        metadata={
            "description": "The time used cost less than the card minimum, which was charged."
        }
    )
    lines = fields.List(fields.Nested(ReceiptLineSchema))


class NotificationSchema(Schema):
    id = fields.String()
    kind = fields.String()
    session_id = fields.String()
    message = fields.String()
    created_at = Instant()
