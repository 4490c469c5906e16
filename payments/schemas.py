from __future__ import annotations

from marshmallow import Schema, fields


class CardSetupSchema(Schema):
    client_secret = fields.String(
        metadata={
            "description": "A SetupIntent's secret: the app's card form sends the card to Stripe."
        }
    )
    publishable_key = fields.String()


class CardSchema(Schema):
    id = fields.String(
        metadata={"description": "A Stripe PaymentMethod id, for payment_method_id."}
    )
    brand = fields.String()
    last4 = fields.String()
    exp_month = fields.Integer()
    exp_year = fields.Integer()


class CardListSchema(Schema):
    items = fields.List(fields.Nested(CardSchema))
    next_cursor = fields.String(allow_none=True)


class WebhookAnswerSchema(Schema):
    result = fields.String(metadata={"enum": ["applied", "duplicate", "ignored"]})
