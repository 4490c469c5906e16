"""`Idempotency-Key` for POSTs that create something or move money (CONTRACT.md, Conventions).

The key is claimed in the database before the view runs (a unique row per caller, method, path
and key), so it holds across workers and machines. The first answer below 500 is stored and
replayed for 24 hours; a 5xx is not stored, so the retry runs again (the money-moving services
are themselves safe to re-run: their Stripe calls carry keys derived from our rows).
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Response, g, request
from sqlalchemy import String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import HTTPException

from app.db import Base, db, id_column, utcnow
from app.errors import (
    Conflict,
    DomainError,
    field_error,
    handle_domain_error,
    handle_http_exception,
)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAY_WINDOW = timedelta(hours=24)
# A claim whose worker died is taken over after this long.
CLAIM_TIMEOUT = timedelta(minutes=1)
IN_PROGRESS, COMPLETED = "in_progress", "completed"


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "method", "path", "key"),)

    id: Mapped[uuid.UUID] = id_column()
    scope: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(index=True)
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)


def _fingerprint() -> str:
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(request.query_string + b"\0" + canonical).hexdigest()


def _scope() -> str:
    principal = g.get("principal")
    return principal.rate_limit_key if principal is not None else "anonymous"


def _claim(key: str) -> IdempotencyRecord | Response:
    """Claim the key for this request, or answer from an earlier request that holds it."""
    fingerprint = _fingerprint()
    scope, method, path = _scope(), request.method, request.path[:255]
    for _attempt in range(3):
        now = utcnow()
        record = IdempotencyRecord(
            scope=scope,
            method=method,
            path=path,
            key=key,
            request_fingerprint=fingerprint,
            state=IN_PROGRESS,
            claimed_at=now,
            created_at=now,
        )
        db.session.add(record)
        try:
            db.session.commit()
            return record
        except IntegrityError:
            db.session.rollback()
        existing = db.session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope,
                IdempotencyRecord.method == method,
                IdempotencyRecord.path == path,
                IdempotencyRecord.key == key,
            )
        )
        if existing is None:
            continue  # deleted meanwhile (a 5xx, or expiry): claim again
        if existing.created_at < now - REPLAY_WINDOW:
            db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
            db.session.commit()
            continue
        if existing.request_fingerprint != fingerprint:
            raise field_error(
                HEADER,
                "This key was used with another request body.",
                reason="idempotency_key_reused",
            )
        if existing.state == COMPLETED:
            return _replay(existing)
        if existing.claimed_at > now - CLAIM_TIMEOUT or not _take_over(existing, now):
            raise Conflict(
                "A request with this Idempotency-Key is still running; retry shortly.",
                reason="request_in_progress",
                headers={"Retry-After": "1"},
            )
        return existing
    raise Conflict("The Idempotency-Key is contended; retry.", reason="request_in_progress")


def _take_over(record: IdempotencyRecord, now: datetime) -> bool:
    """A worker died holding the claim: take it, unless another retry just did."""
    result = db.session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == record.id,
            IdempotencyRecord.state == IN_PROGRESS,
            IdempotencyRecord.claimed_at == record.claimed_at,
        )
        .values(claimed_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(
        record.response_body, status=record.response_status, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _store(record_id: uuid.UUID, response: Response, redact: frozenset[str]) -> None:
    body = response.get_data(as_text=True)
    if redact:
        document = json.loads(body)
        for field in redact & document.keys():
            document[field] = None
        body = json.dumps(document)
    db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id)
        .values(state=COMPLETED, response_status=response.status_code, response_body=body)
    )
    db.session.commit()


def _release(record_id: uuid.UUID) -> None:
    db.session.rollback()
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    db.session.commit()


def current_request_key() -> str | None:
    """A digest of this request's Idempotency-Key and caller, for services whose first row must
    be found again by a retry (a start whose first attempt failed half-way)."""
    key = request.headers.get(HEADER)
    if not key:
        return None
    return hashlib.sha256(
        f"{_scope()}\0{request.method}\0{request.path}\0{key}".encode()
    ).hexdigest()


def idempotent(
    view: Callable[..., Any] | None = None, *, redact: frozenset[str] = frozenset()
) -> Any:
    """Decorate a POST view (outside the flask-smorest decorators) to honour the header.

    `redact` names answer fields never written to the database (a device key is shown once):
    a replay answers them as null.
    """
    if view is None:
        return functools.partial(idempotent, redact=redact)

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH:
            raise field_error(HEADER, f"Must be 1 to {MAX_KEY_LENGTH} characters.")
        claim = _claim(key)
        if isinstance(claim, Response):
            return claim
        record_id = claim.id
        try:
            response = view(*args, **kwargs)
        except DomainError as error:
            db.session.rollback()
            response = handle_domain_error(error)
        except HTTPException as error:
            db.session.rollback()
            response = handle_http_exception(error)
        except BaseException:
            _release(record_id)
            raise
        if response.status_code >= 500:
            _release(record_id)
        else:
            _store(record_id, response, redact)
        return response

    doc = dict(getattr(wrapper, "_apidoc", {}))
    manual = dict(doc.get("manual_doc", {}))
    manual["parameters"] = [
        *manual.get("parameters", []),
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": "Retry-safe key: the same key and body within 24 h replays the answer.",
        },
    ]
    doc["manual_doc"] = manual
    wrapper._apidoc = doc  # type: ignore[attr-defined]
    return wrapper
