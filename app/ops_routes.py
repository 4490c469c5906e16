"""Liveness, readiness and metrics for load balancers and Prometheus."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from app.accounts.guard import public
from app.db import db
from app.errors import DomainError
from app.observability import metrics_response

blp = Blueprint("operations", __name__, url_prefix="/api/v1", description="Operations")


class HealthSchema(Schema):
    status = fields.String()


class DatabaseUnavailable(DomainError):
    code, reason = 503, "database_unavailable"
    message = "The database does not answer."


@blp.route("/healthz")
class Health(MethodView):
    @public
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """The process is up (it answers without touching the database)."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @public
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """The database answers: send traffic here."""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means "not ready", never a 500
            db.session.rollback()
            raise DatabaseUnavailable() from exc
        return {"status": "ready"}


@blp.route("/metrics")
class Metrics(MethodView):
    @public
    @blp.response(200, content_type="text/plain")
    def get(self) -> Response:
        """Prometheus text: request counts and latencies by endpoint."""
        return metrics_response()
