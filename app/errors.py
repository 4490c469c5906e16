"""Domain errors, and the one JSON error shape of the contract for every 4xx and 5xx.

Services raise `DomainError` subclasses; they never call `abort()`. The handlers below turn
those, Werkzeug's HTTP errors and webargs' validation errors into
`{"code", "status", "message", "reason", "errors"}`.
"""

from __future__ import annotations

import logging
import traceback
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

# The `reason` of an HTTP error that carries none of its own.
DEFAULT_REASONS = {
    400: "bad_request",
    401: "authentication_required",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
}


class DomainError(Exception):
    """A refusal the client can act on. Subclasses fix `code` and `reason`."""

    code = 400
    reason = "bad_request"
    message = "The request cannot be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        reason: str | None = None,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        if reason:
            self.reason = reason
        self.errors = errors or {}
        self.headers = headers or {}


class BadRequest(DomainError):
    code, reason = 400, "bad_request"


class Unauthorized(DomainError):
    code, reason = 401, "authentication_required"
    message = "Authentication is required."


class PaymentRequired(DomainError):
    code, reason = 402, "payment_declined"
    message = "The payment was declined."


class Forbidden(DomainError):
    code, reason = 403, "forbidden"
    message = "You are not allowed to do this."


class NotFound(DomainError):
    code, reason = 404, "not_found"
    message = "Not found."


class Conflict(DomainError):
    code, reason = 409, "conflict"


class Unprocessable(DomainError):
    code, reason = 422, "validation_error"
    message = "The request is not valid."


class BadGateway(DomainError):
    code, reason = 502, "payment_provider_error"
    message = "The payment provider could not be reached; nothing was charged twice, retry."


def field_error(field: str, message: str, *, reason: str = "validation_error") -> Unprocessable:
    """A 422 naming one field, for checks that only a service can make."""
    return Unprocessable(f"{field}: {message}", reason=reason, errors={field: [message]})


def error_response(
    code: int,
    message: str,
    reason: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message,
        "reason": reason or DEFAULT_REASONS.get(code, "error"),
        "errors": errors or {},
    }
    response = jsonify(body)
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_validation_messages(messages: Any) -> dict[str, Any]:
    """webargs nests field errors under their location (`json`, `query`); clients want them flat."""
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _summary(errors: dict[str, Any]) -> str:
    if not errors:
        return "The request is not valid."
    names = ", ".join(sorted(str(name) for name in errors)[:5])
    return f"Invalid value for: {names}."


def handle_http_exception(error: HTTPException) -> Response:
    code = error.code or 500
    if code >= 500:
        _log_unexpected(getattr(error, "original_exception", None) or error)
        return error_response(500, "An unexpected error occurred; it has been logged.")
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if code == 422 and "messages" in data:
        errors = flatten_validation_messages(data["messages"])
        return error_response(422, _summary(errors), "validation_error", errors, headers)
    if code == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    reason = data.get("reason") or DEFAULT_REASONS.get(code)
    message = data.get("message") or error.description or HTTPStatus(code).phrase
    return error_response(code, message, reason, data.get("errors"), headers)


def _log_unexpected(exc: BaseException) -> None:
    """Log with the request id. A database error's text may quote a row (PostgreSQL's DETAIL
    repeats a failing plate), and plates never go to logs: keep only its code and constraint."""
    request_id = g.get("request_id")
    if isinstance(exc, DBAPIError):
        diag = getattr(exc.orig, "diag", None)
        log.error(
            "unhandled database error %s: SQLSTATE %s, constraint %s",
            type(exc.orig).__name__,
            getattr(diag, "sqlstate", None),
            getattr(diag, "constraint_name", None),
            extra={
                "request_id": request_id,
                "traceback": "".join(traceback.format_tb(exc.__traceback__)),
            },
        )
        return
    log.error("unhandled exception", exc_info=exc, extra={"request_id": request_id})


def handle_domain_error(error: DomainError) -> Response:
    if error.code >= 500:
        log.warning(
            "%s: %s", error.reason, error.message, extra={"request_id": g.get("request_id")}
        )
    return error_response(error.code, error.message, error.reason, error.errors, error.headers)


def handle_unexpected_exception(error: Exception) -> Response:
    """Last resort: an exception no handler claimed is a 500 with no trace in the body."""
    return handle_http_exception(InternalServerError(original_exception=error))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected_exception)
