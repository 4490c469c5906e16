"""Saved cards of the calling driver, and the Stripe webhook endpoint."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts.guard import allow, current_principal, public
from app.accounts.services import get_user
from app.errors import BadRequest
from app.idempotency import idempotent
from payments import services, webhooks
from payments.gateway import InvalidSignature, gateway
from payments.schemas import CardListSchema, CardSetupSchema, WebhookAnswerSchema

blp = Blueprint("payments", __name__, url_prefix="/api/v1", description="Cards and Stripe")


class InvalidWebhookSignature(BadRequest):
    reason = "invalid_signature"
    message = "The Stripe-Signature header does not verify."


@blp.route("/me/payment-methods")
class PaymentMethods(MethodView):
    @allow("driver")
    @blp.response(200, CardListSchema)
    def get(self) -> dict[str, Any]:
        """The caller's saved cards (brand, last 4 digits, expiry: never the number)."""
        cards = services.list_cards(get_user(current_principal().id))
        return {"items": cards, "next_cursor": None}

    @allow("driver")
    @idempotent
    @blp.response(201, CardSetupSchema)
    def post(self) -> dict[str, str]:
        """Start saving a card: a SetupIntent `client_secret` for the app's Stripe card form."""
        secret = services.start_card_setup(get_user(current_principal().id))
        return {
            "client_secret": secret,
            "publishable_key": current_app.config["SETTINGS"].stripe_publishable_key,
        }


@blp.route("/me/payment-methods/<string:payment_method_id>")
class PaymentMethodItem(MethodView):
    @allow("driver")
    @blp.response(204)
    def delete(self, payment_method_id: str) -> None:
        """Remove a saved card."""
        services.remove_card(get_user(current_principal().id), payment_method_id)


@blp.route("/payments/stripe/webhook")
class StripeWebhook(MethodView):
    @public
    @blp.response(200, WebhookAnswerSchema)
    def post(self) -> dict[str, str]:
        """Stripe events: the signature is checked, each event applied once."""
        try:
            event = gateway().verify_event(
                request.get_data(), request.headers.get("Stripe-Signature")
            )
        except InvalidSignature as exc:
            raise InvalidWebhookSignature() from exc
        return {"result": webhooks.apply_event(event)}
