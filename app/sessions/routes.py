"""Parking sessions of the calling driver: start, extend, stop, read, receipts, notifications."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts.guard import allow, current_principal
from app.db import utcnow
from app.idempotency import current_request_key, idempotent
from app.pagination import Page, PageArgsSchema, page_schema
from app.sessions import notifications, receipts, services, start
from app.sessions.schemas import (
    ExtendSessionSchema,
    NotificationSchema,
    ReceiptSchema,
    SessionListArgsSchema,
    SessionOutcomeSchema,
    SessionSchema,
    StartSessionSchema,
)
from app.sessions.views import Outcome, SessionView, view

blp = Blueprint("sessions", __name__, url_prefix="/api/v1", description="Parking sessions")


@blp.route("/sessions")
class Sessions(MethodView):
    @allow("driver")
    @blp.arguments(SessionListArgsSchema, location="query")
    @blp.response(200, page_schema(SessionSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """The caller's sessions, newest first (`status=active|ended|all`)."""
        return services.list_sessions(current_principal().id, **args)

    @allow("driver")
    @idempotent
    @blp.arguments(StartSessionSchema)
    @blp.response(201, SessionOutcomeSchema)
    @blp.alt_response(402, description="payment_declined")
    @blp.alt_response(409, description="session_overlap, zone_inactive, no_tariff_in_force")
    def post(self, data: dict[str, Any]) -> Outcome:
        """Start a session now, prepaid (duration or end) or open-ended, paid by card.

        Answers `pending_payment` with `payment.status = requires_action` and the
        `client_secret` when the card asks for 3-D Secure; the session becomes `active` when
        Stripe confirms (webhook), or when the app reads it again.
        """
        request = start.StartRequest(**data)
        return start.start_session(current_principal().id, request, current_request_key())


@blp.route("/sessions/<uuid:session_id>")
class SessionItem(MethodView):
    @allow("driver")
    @blp.response(200, SessionSchema)
    def get(self, session_id: uuid.UUID) -> SessionView:
        """One of the caller's sessions (brought up to date while its payment is unfinished)."""
        session = services.read_session(current_principal().id, session_id)
        return view(session, utcnow())


@blp.route("/sessions/<uuid:session_id>/extend")
class ExtendSession(MethodView):
    @allow("driver")
    @idempotent
    @blp.arguments(ExtendSessionSchema)
    @blp.response(200, SessionOutcomeSchema)
    def post(self, data: dict[str, Any], session_id: uuid.UUID) -> Outcome:
        """Extend a prepaid session and pay only the difference; its end moves once paid."""
        request = services.ExtendRequest(**data)
        return services.extend_session(current_principal().id, session_id, request)


@blp.route("/sessions/<uuid:session_id>/stop")
class StopSession(MethodView):
    @allow("driver")
    @idempotent
    @blp.response(200, SessionOutcomeSchema)
    def post(self, session_id: uuid.UUID) -> Outcome:
        """Stop now: unused prepaid time is refunded, used open-ended time is captured."""
        return services.stop_session(current_principal().id, session_id)


@blp.route("/sessions/<uuid:session_id>/receipt")
class Receipt(MethodView):
    @allow("driver")
    @blp.response(200, ReceiptSchema)
    def get(self, session_id: uuid.UUID) -> dict[str, Any]:
        """What was paid, when, where, under which tariff; refunds and disputes."""
        return receipts.receipt(current_principal().id, session_id)


@blp.route("/me/notifications")
class Notifications(MethodView):
    @allow("driver")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_schema(NotificationSchema))
    def get(self, page: dict[str, Any]) -> Page:
        """Messages for the app, newest first (e.g. a session ending in 10 minutes)."""
        return notifications.list_notifications(current_principal().id, **page)
