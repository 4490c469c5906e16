"""Extension objects shared by the packages, bound to the app in create_app()."""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_smorest import Api


def _client_address() -> str:
    # ProxyFix (TRUSTED_PROXY_COUNT) has already put the real client address here.
    return request.remote_addr or "unknown"


def principal_rate_limit_key() -> str:
    """Rate-limit key of the authenticated caller (officer or device), for lookups."""
    principal = g.get("principal")
    return principal.rate_limit_key if principal is not None else _client_address()


API_DESCRIPTION = (
    "On-street parking paid by phone: zones and tariffs, parking sessions paid by card, "
    "enforcement checks for officers and scan cars, finance reports. Errors always have the "
    "shape {code, status, message, reason, errors}; lists are {items, next_cursor}."
)


def build_api(app: Flask) -> Api:
    """One flask-smorest Api per app (it keeps the app's OpenAPI document)."""
    return Api(app, spec_kwargs={"info": {"description": API_DESCRIPTION}})


limiter = Limiter(key_func=_client_address)
migrate = Migrate()
