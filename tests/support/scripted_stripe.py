"""An HTTP client for the Stripe SDK that plays recorded Stripe answers for chosen requests and
passes the others to the local Stripe server: timeouts, 5xx, idempotency errors and declines
that localstripe cannot produce."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import stripe


@dataclass
class Scripted:
    method: str
    path_ends_with: str
    status: int = 0  # 0: the network fails (no answer at all)
    body: dict[str, Any] | None = None
    times: int = 1


class ScriptedStripe(stripe.HTTPClient):
    name = "scripted"

    def __init__(self, *scripts: Scripted) -> None:
        super().__init__()
        self._real = stripe.RequestsClient(timeout=10)
        self._scripts = list(scripts)
        self.calls: list[tuple[str, str]] = []

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        **_: Any,
    ):
        self.calls.append((method.upper(), url))
        for script in self._scripts:
            if (
                script.times
                and method.upper() == script.method
                and url.split("?")[0].endswith(script.path_ends_with)
            ):
                script.times -= 1
                if script.status == 0:
                    raise stripe.APIConnectionError("recorded: connection reset by peer")
                return json.dumps(script.body or {}), script.status, {"request-id": "req_scripted"}
        return self._real.request(method, url, headers, post_data)

    def close(self) -> None:
        self._real.close()


IDEMPOTENCY_ERROR = {
    "error": {
        "type": "idempotency_error",
        "message": "There is currently another in-progress request using this Idempotent Key.",
    }
}
INSUFFICIENT_FUNDS = {
    "error": {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
    }
}
STRIPE_DOWN = {"error": {"type": "api_error", "message": "An unknown error occurred."}}
