"""Refuse bodies the API cannot read before any view sees them (415, 400, 413)."""

from __future__ import annotations

import json

from flask import request

from app.errors import DomainError

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class UnsupportedMediaType(DomainError):
    code, reason = 415, "unsupported_media_type"
    message = "Send the body as JSON with 'Content-Type: application/json'."


class MalformedJson(DomainError):
    code, reason = 400, "malformed_json"
    message = "The body is not valid JSON."


def check_request_body() -> None:
    """before_request: a body must be JSON, and well-formed.

    Reading the body here also enforces MAX_CONTENT_LENGTH (413) for every endpoint.
    """
    if request.method not in BODY_METHODS or request.routing_exception is not None:
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    if not request.is_json:
        raise UnsupportedMediaType()
    try:
        json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJson(f"The body is not valid JSON: {exc}.") from exc
