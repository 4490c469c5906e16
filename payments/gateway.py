"""The Stripe gateway: the only module of the service that imports `stripe`.

Every call carries an idempotency key derived from our own rows (`payment-<id>-create`, ...), so
a retry after a timeout can never charge twice. Answers are turned into small frozen records;
Stripe's errors into the service's own (`PaymentDeclined`, `PaymentProviderUnavailable`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import stripe
from flask import current_app

from app.config import Settings
from app.errors import BadGateway, Conflict, PaymentRequired, Unprocessable

WEBHOOK_TOLERANCE_SECONDS = 300


class PaymentDeclined(PaymentRequired):
    reason = "payment_declined"

    def __init__(self, message: str, decline_code: str | None) -> None:
        super().__init__(message, errors={"payment": [decline_code or "card_declined"]})
        self.decline_code = decline_code


class PaymentProviderUnavailable(BadGateway):
    reason = "payment_provider_error"


class ProviderConflict(Conflict):
    reason = "payment_in_progress"
    message = "The card processor is still handling an earlier attempt; retry in a moment."


class InvalidSignature(Exception):
    """A webhook whose signature or timestamp does not verify."""


@dataclass(frozen=True)
class Intent:
    """What we keep of a PaymentIntent."""

    id: str
    status: str
    amount_cents: int
    currency: str
    client_secret: str | None
    charge_id: str | None
    decline_code: str | None = None
    # What Stripe says it captured; absent from localstripe, so never the only source.
    amount_received_cents: int | None = None


@dataclass(frozen=True)
class Refund:
    id: str
    amount_cents: int
    status: str
    charge_id: str | None


@dataclass(frozen=True)
class Card:
    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


def intent_from(data: dict[str, Any]) -> Intent:
    charge = data.get("latest_charge")
    charge_id = charge.get("id") if isinstance(charge, dict) else charge
    error = data.get("last_payment_error") or {}
    return Intent(
        id=data["id"],
        status=data["status"],
        amount_cents=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        client_secret=data.get("client_secret"),
        charge_id=charge_id,
        decline_code=error.get("decline_code") or error.get("code"),
        amount_received_cents=data.get("amount_received"),
    )


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except stripe.CardError as exc:
        decline_code = exc.error.decline_code if exc.error else None
        raise PaymentDeclined(
            exc.user_message or "The card was declined.", decline_code or exc.code
        ) from exc
    except stripe.IdempotencyError as exc:
        raise ProviderConflict() from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise PaymentProviderUnavailable() from exc
    except stripe.APIError as exc:
        if exc.http_status == 409:  # another request with the same key is still running there
            raise ProviderConflict() from exc
        raise PaymentProviderUnavailable() from exc  # Stripe's own 5xx


class StripeGateway:
    def __init__(self, client: stripe.StripeClient, webhook_secret: str) -> None:
        self._client = client
        self._webhook_secret = webhook_secret

    @classmethod
    def from_settings(
        cls, settings: Settings, http_client: stripe.HTTPClient | None = None
    ) -> StripeGateway:
        client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses={"api": settings.stripe_api_base},
            # Safe: every call is idempotent by key. Past these, the caller answers 502 and the
            # driver's retry (or the settle job) comes back here with the same keys.
            max_network_retries=settings.stripe_network_retries,
            http_client=http_client
            or stripe.RequestsClient(timeout=settings.stripe_timeout_seconds),
        )
        return cls(client, settings.stripe_webhook_secret)

    # Customers and cards
    def create_customer(self, user_id: str, email: str) -> str:
        with _translated_errors():
            customer = self._client.v1.customers.create(
                params={"email": email, "metadata": {"user_id": user_id}},
                options={"idempotency_key": f"customer-{user_id}"},
            )
        return customer.id

    def create_setup_intent(self, customer_id: str) -> tuple[str, str]:
        with _translated_errors():
            intent = self._client.v1.setup_intents.create(
                params={
                    "customer": customer_id,
                    "payment_method_types": ["card"],
                    "usage": "off_session",
                }
            )
        return intent.id, intent.client_secret

    def list_cards(self, customer_id: str) -> list[Card]:
        with _translated_errors():
            listed = self._client.v1.payment_methods.list(
                params={"customer": customer_id, "type": "card", "limit": 100}
            )
        return [
            Card(
                id=method["id"],
                brand=method["card"]["brand"],
                last4=method["card"]["last4"],
                exp_month=int(method["card"]["exp_month"]),
                exp_year=int(method["card"]["exp_year"]),
            )
            for method in listed.to_dict()["data"]
        ]

    def payment_method_customer(self, payment_method_id: str) -> str | None:
        """The customer a PaymentMethod is attached to; raises 422 if Stripe does not know it."""
        try:
            with _translated_errors():
                method = self._client.v1.payment_methods.retrieve(payment_method_id)
        except stripe.InvalidRequestError as exc:
            raise UnknownPaymentMethod() from exc
        return method.to_dict().get("customer")

    def attach_payment_method(self, payment_method_id: str, customer_id: str) -> None:
        try:
            with _translated_errors():
                self._client.v1.payment_methods.attach(
                    payment_method_id, params={"customer": customer_id}
                )
        except stripe.InvalidRequestError as exc:
            raise UnknownPaymentMethod() from exc

    def detach_payment_method(self, payment_method_id: str) -> None:
        with _translated_errors():
            self._client.v1.payment_methods.detach(payment_method_id)

    # Payments
    def create_intent(
        self,
        *,
        key: str,
        amount_cents: int,
        currency: str,
        customer_id: str,
        payment_method_id: str,
        manual_capture: bool,
        metadata: dict[str, str],
    ) -> Intent:
        """Create, unconfirmed: nothing is charged yet, so a lost answer is harmless."""
        with _translated_errors():
            intent = self._client.v1.payment_intents.create(
                params={
                    "amount": amount_cents,
                    "currency": currency.lower(),
                    "customer": customer_id,
                    "payment_method": payment_method_id,
                    "capture_method": "manual" if manual_capture else "automatic",
                    "metadata": metadata,
                },
                options={"idempotency_key": f"{key}-create"},
            )
        return intent_from(intent.to_dict())

    def confirm_intent(self, intent_id: str, *, key: str) -> Intent:
        """Charge (or authorise) the card; a decline raises PaymentDeclined."""
        with _translated_errors():
            intent = self._client.v1.payment_intents.confirm(
                intent_id, options={"idempotency_key": f"{key}-confirm"}
            )
        return intent_from(intent.to_dict())

    def retrieve_intent(self, intent_id: str) -> Intent:
        with _translated_errors():
            return intent_from(self._client.v1.payment_intents.retrieve(intent_id).to_dict())

    def capture_intent(self, intent_id: str, amount_cents: int, *, key: str) -> Intent:
        with _translated_errors():
            intent = self._client.v1.payment_intents.capture(
                intent_id,
                params={"amount_to_capture": amount_cents},
                options={"idempotency_key": f"{key}-capture"},
            )
        return intent_from(intent.to_dict())

    def cancel_intent(self, intent_id: str, *, key: str) -> Intent:
        with _translated_errors():
            intent = self._client.v1.payment_intents.cancel(
                intent_id, options={"idempotency_key": f"{key}-cancel"}
            )
        return intent_from(intent.to_dict())

    def refund(
        self, charge_id: str, amount_cents: int, *, key: str, metadata: dict[str, str]
    ) -> Refund:
        with _translated_errors():
            refund = self._client.v1.refunds.create(
                params={"charge": charge_id, "amount": amount_cents, "metadata": metadata},
                options={"idempotency_key": key},
            )
        data = refund.to_dict()
        return Refund(
            id=data["id"],
            amount_cents=int(data["amount"]),
            status=data["status"],
            charge_id=data.get("charge"),
        )

    # Webhooks
    def verify_event(self, payload: bytes, signature_header: str | None) -> dict[str, Any]:
        """The event of a signed webhook (5 minutes tolerance); InvalidSignature otherwise."""
        try:
            event = stripe.Webhook.construct_event(
                payload, signature_header or "", self._webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise InvalidSignature(str(exc)) from exc
        return event.to_dict()


class UnknownPaymentMethod(Unprocessable):
    reason = "unknown_payment_method"
    message = "payment_method_id: no such card for this account."

    def __init__(self) -> None:
        super().__init__(errors={"payment_method_id": ["No such card for this account."]})


def gateway() -> StripeGateway:
    """The app's gateway (one Stripe client per app: it pools its connections)."""
    return current_app.extensions["stripe_gateway"]


def init_gateway(
    app: Any, factory: Callable[[Settings], StripeGateway] = StripeGateway.from_settings
) -> None:
    app.extensions["stripe_gateway"] = factory(app.config["SETTINGS"])
