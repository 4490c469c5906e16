"""The local Stripe server for the suite, and what the mobile app does with Stripe directly."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import stripe

from app.config import PROJECT_ROOT

WEBHOOK_SECRET = "whsec_test_suite_secret"
TEST_KEY = "sk_test_suite"
CARDS = {
    "visa": "4242424242424242",
    "declined_on_charge": "4000000000000341",
    "three_d_secure": "4000002500003155",
}


@contextmanager
def localstripe() -> Iterator[str]:
    """localstripe on a free loopback port, with no state file; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "localstripe_server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("listening on "):
            raise RuntimeError(f"localstripe did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[-1])}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


class StripeApp:
    """What the driver's phone does with the publishable key: make cards, pass 3-D Secure."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.client = stripe.StripeClient(
            TEST_KEY, base_addresses={"api": base}, max_network_retries=0
        )

    def card(self, kind: str = "visa") -> str:
        method = self.client.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {"number": CARDS[kind], "exp_month": 12, "exp_year": 2035, "cvc": "123"},
            }
        )
        return method.id

    def authenticate(self, intent_id: str, client_secret: str, success: bool = True) -> None:
        response = requests.post(
            f"{self.base}/v1/payment_intents/{intent_id}/_authenticate",
            data={"client_secret": client_secret, "success": "true" if success else "false"},
            auth=(TEST_KEY, ""),
            timeout=5,
        )
        response.raise_for_status()

    def intent(self, intent_id: str) -> dict[str, Any]:
        return self.client.v1.payment_intents.retrieve(intent_id).to_dict()

    def charges_of(self, customer_id: str) -> list[dict[str, Any]]:
        listed = self.client.v1.charges.list(params={"customer": customer_id, "limit": 100})
        return listed.to_dict()["data"]


def signed_event(
    event_type: str, obj: dict[str, Any], *, event_id: str, at: int | None = None
) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header, as Stripe would send them."""
    timestamp = int(time.time()) if at is None else at
    payload = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": timestamp,
            "data": {"object": obj},
        }
    ).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), WEBHOOK_SECRET, timestamp
    )
    return payload, header
