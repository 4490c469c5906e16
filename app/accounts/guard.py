"""Who is calling, and may they call this endpoint. Everything is denied unless allowed.

Each view names the roles it allows with `@allow("driver", ...)` or declares itself `@public`.
`enforce_access_policy` runs before every request: an endpoint that declares nothing answers 403
to everyone, and tests/accounts/test_access_policy.py walks the URL map so that such an endpoint
fails the suite.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, request
from sqlalchemy import bindparam, select

from app.accounts.models import DEVICE_ROLE, Device
from app.accounts.security import InvalidToken, digest, read_access_token
from app.db import db
from app.errors import Forbidden, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])
POLICY_ATTRIBUTE = "__access_policy__"
BEARER_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
API_KEY_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Authorization",
    "description": "Devices send `Authorization: ApiKey <key>`.",
}
# Built once: a scan car sends its key with every check, and only the id is needed.
_LIVE_DEVICE_ID = select(Device.id).where(
    Device.key_hash == bindparam("key_hash"), Device.revoked_at.is_(None)
)
# Endpoints of libraries (the OpenAPI document and its UI) that cannot carry a decorator.
PUBLIC_LIBRARY_ENDPOINTS = frozenset({"api-docs.openapi_json", "api-docs.openapi_swagger_ui"})


@dataclass(frozen=True)
class AccessPolicy:
    roles: frozenset[str]
    public: bool = False


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a person (by access token) or a device (by API key)."""

    id: uuid.UUID
    role: str
    kind: str  # "user" or "device"

    @property
    def rate_limit_key(self) -> str:
        return f"{self.kind}:{self.id}"


def allow(*roles: str) -> Callable[[F], F]:
    """Let callers with one of `roles` in (device callers have the role "device")."""

    def decorator(view: F) -> F:
        setattr(view, POLICY_ATTRIBUTE, AccessPolicy(roles=frozenset(roles)))
        security = []
        if set(roles) - {DEVICE_ROLE}:
            security.append({"bearerAuth": []})
        if DEVICE_ROLE in roles:
            security.append({"apiKeyAuth": []})
        _add_doc(view, security=security, description=f"Roles: {', '.join(sorted(roles))}.")
        return view

    return decorator


def public(view: F) -> F:
    """Let anyone in, with or without credentials."""
    setattr(view, POLICY_ATTRIBUTE, AccessPolicy(roles=frozenset(), public=True))
    _add_doc(view, security=[])
    return view


def _add_doc(view: Any, **doc: Any) -> None:
    # flask-smorest reads `_apidoc["manual_doc"]` when it builds the OpenAPI document.
    apidoc = dict(getattr(view, "_apidoc", {}))
    manual = dict(apidoc.get("manual_doc", {}))
    if "description" in doc and view.__doc__:
        # flask-smorest takes the docstring's first line as the summary, the rest as description.
        rest = view.__doc__.strip().partition("\n")[2].strip()
        doc["description"] = f"{rest}\n\n{doc['description']}".strip()
    manual.update(doc)
    apidoc["manual_doc"] = manual
    view._apidoc = apidoc


def policy_for(endpoint: str, method: str) -> AccessPolicy | None:
    if endpoint in PUBLIC_LIBRARY_ENDPOINTS:
        return AccessPolicy(roles=frozenset(), public=True)
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        view = handler
    return getattr(view, POLICY_ATTRIBUTE, None) if view is not None else None


def authenticate() -> Principal | None:
    """The caller named by the Authorization header; None without one; 401 if it is wrong."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and credential:
        try:
            claims = read_access_token(credential, current_app.config["SECRET_KEY"])
        except InvalidToken as exc:
            message = (
                "The access token has expired; refresh it."
                if exc.reason == "token_expired"
                else "The access token is not valid."
            )
            raise Unauthorized(message, reason=exc.reason, headers=_challenge()) from exc
        return Principal(id=claims.user_id, role=claims.role, kind="user")
    if scheme.lower() == "apikey" and credential:
        device_id = db.session.scalar(_LIVE_DEVICE_ID, {"key_hash": digest(credential)})
        if device_id is None:
            raise Unauthorized("The API key is not valid.", reason="invalid_api_key")
        return Principal(id=device_id, role=DEVICE_ROLE, kind="device")
    raise Unauthorized(
        "Use 'Authorization: Bearer <token>' or 'ApiKey <key>'.",
        reason="invalid_authorization_header",
        headers=_challenge(),
    )


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": 'Bearer realm="parking"'}


def enforce_access_policy() -> None:
    """before_request: authenticate, then apply the endpoint's policy (deny when it has none)."""
    g.principal = None
    if request.routing_exception is not None or request.endpoint is None:
        return  # Flask answers 404/405 itself.
    if request.method == "OPTIONS":
        return
    policy = policy_for(request.endpoint, request.method)
    if policy is None:
        raise Forbidden("This endpoint allows no one.", reason="no_access_policy")
    if policy.public:
        # A stale token must not stop an app from logging in or refreshing it.
        try:
            g.principal = authenticate()
        except Unauthorized:
            g.principal = None
        return
    principal = authenticate()
    g.principal = principal
    if principal is None:
        raise Unauthorized(headers=_challenge())
    if principal.role not in policy.roles:
        raise Forbidden("Your role may not do this.", reason="role_not_allowed")


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:
        raise Unauthorized()
    return principal
