"""What the enforcement API reads and answers: checks (single and bulk) and the rights feed."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.fields import Cents, Instant
from app.pagination import PageArgsSchema
from app.plates import PlateField

MAX_BULK_PLATES = 500
STATUSES = ["paid", "free", "grace", "unpaid"]
ZONE_CODE = validate.Length(min=1, max=32)


class CheckArgsSchema(Schema):
    plate = PlateField(required=True, metadata={"example": "AB-123-CD"})
    zone = fields.String(required=True, validate=ZONE_CODE, metadata={"example": "ISSY-CENTRE"})
    at = Instant(
        load_default=None,
        metadata={"description": "The instant to check, with an offset; now by default."},
    )


class BulkCheckSchema(Schema):
    zone = fields.String(required=True, validate=ZONE_CODE, metadata={"example": "ISSY-CENTRE"})
    at = Instant(load_default=None)
    plates = fields.List(
        fields.String(),
        required=True,
        validate=validate.Length(min=1, max=MAX_BULK_PLATES),
        metadata={
            "description": f"Up to {MAX_BULK_PLATES} plates in any spelling; each answer takes "
            "its plate's place, `invalid_plate` for a string that cannot be a plate."
        },
    )


class LastPaymentSchema(Schema):
    amount_cents = Cents(metadata={"description": "Paid for the session, net of refunds."})
    currency = fields.String()
    ended_at = Instant(allow_none=True, metadata={"description": "Null while it runs."})


class CheckResultSchema(Schema):
    plate = fields.String(metadata={"description": "Normalised (as given when invalid)."})
    zone_code = fields.String()
    at = Instant()
    status = fields.String(metadata={"enum": [*STATUSES, "invalid_plate"]})
    valid_until = Instant(
        allow_none=True,
        metadata={"description": "paid: end of the right; free: start of the next paid time."},
    )
    grace_until = Instant(allow_none=True, metadata={"description": "grace: when it ends."})
    last_payment = fields.Nested(
        LastPaymentSchema,
        allow_none=True,
        metadata={"description": "The plate's latest paid session of the local day, if any."},
    )


class BulkCheckResultSchema(Schema):
    results = fields.List(fields.Nested(CheckResultSchema))


class RightsArgsSchema(PageArgsSchema):
    zone = fields.String(required=True, validate=ZONE_CODE, metadata={"example": "ISSY-CENTRE"})
    modified_since = Instant(
        load_default=None,
        metadata={
            "description": "Every right changed since then, ended and revoked ones included; "
            "without it, the rights valid now or later."
        },
    )


class RightSchema(Schema):
    kind = fields.String(metadata={"enum": ["session", "permit"]})
    id = fields.String()
    plate = fields.String()
    valid_from = Instant()
    valid_until = Instant()
    revoked = fields.Boolean(
        metadata={"description": "Cancelled, stopped before its end, or a deleted permit."}
    )
    updated_at = Instant(
        metadata={
            "description": "Take the latest seen, less a minute, as the next sync's "
            "`modified_since` (rights are committed a moment after they are stamped)."
        }
    )
