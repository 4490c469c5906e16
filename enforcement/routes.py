"""Enforcement for officers (access token) and scan cars (API key): checks and the rights feed.

Admins are not let in: looking up where a vehicle is parked is for enforcement agents only
(the CNIL's purpose limitation); admins manage permits through `/permits`. Plate lookups are
rate limited per officer and per device, a bulk check costing one hit per plate.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts.guard import allow, current_principal
from app.db import db, utcnow
from app.extensions import limiter, principal_rate_limit_key
from app.pagination import Page, page_schema
from enforcement import rights, services
from enforcement.schemas import (
    MAX_BULK_PLATES,
    BulkCheckResultSchema,
    BulkCheckSchema,
    CheckArgsSchema,
    CheckResultSchema,
    RightsArgsSchema,
    RightSchema,
)

ENFORCEMENT_ROLES = ("officer", "device")

blp = Blueprint(
    "enforcement", __name__, url_prefix="/api/v1/enforcement", description="Enforcement"
)


def _lookup_limit() -> str:
    return current_app.config["SETTINGS"].enforcement_rate_limit


def _lookup_cost() -> int:
    """A bulk check costs its number of plates (at most the 500 it may hold)."""
    if request.method != "POST":
        return 1
    body = request.get_json(silent=True)
    plates = body.get("plates") if isinstance(body, dict) else None
    return min(max(len(plates), 1), MAX_BULK_PLATES) if isinstance(plates, list) else 1


@blp.route("/check")
class Check(MethodView):
    decorators = [
        limiter.limit(_lookup_limit, key_func=principal_rate_limit_key, cost=_lookup_cost)
    ]

    @allow(*ENFORCEMENT_ROLES)
    @blp.arguments(CheckArgsSchema, location="query")
    @blp.response(200, CheckResultSchema)
    @blp.alt_response(404, description="zone_not_found")
    @blp.alt_response(429, description="rate_limited (see Retry-After)")
    def get(self, args: dict[str, Any]) -> services.CheckResult:
        """Is this plate paid for in this zone at `at` (now by default)?

        `paid` (a session or an exempting permit covers it; `valid_until`), `free` (nothing is
        due; `valid_until` = the next paid time), `grace` (its last session ended less than the
        tariff's grace ago; `grace_until`) or `unpaid`, with the day's last payment (the proof
        that reduces a post-parking fee). Never who the driver is.
        """
        plate = args["plate"].normalized
        [result] = services.check_plates(current_principal(), args["zone"], [plate], args["at"])
        db.session.commit()  # the audit row
        return result

    @allow(*ENFORCEMENT_ROLES)
    @blp.arguments(BulkCheckSchema)
    @blp.response(200, BulkCheckResultSchema)
    @blp.alt_response(404, description="zone_not_found")
    @blp.alt_response(429, description="rate_limited (see Retry-After)")
    def post(self, data: dict[str, Any]) -> dict[str, list[services.CheckResult]]:
        """Check up to 500 plates of one zone at once (scan cars); answers in the same order.

        A string that cannot be a plate gets `status: invalid_plate` in its place rather than
        failing the whole batch; more than 500 plates is 422.
        """
        results = services.check_plates(
            current_principal(), data["zone"], data["plates"], data["at"]
        )
        db.session.commit()  # the audit rows
        return {"results": results}


@blp.route("/rights")
class Rights(MethodView):
    @allow(*ENFORCEMENT_ROLES)
    @blp.arguments(RightsArgsSchema, location="query")
    @blp.response(200, page_schema(RightSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """The zone's rights (paid sessions, exempting permits) valid now or later, or with
        `modified_since` every one changed since, revoked ones included: for scan cars that sync.
        """
        return rights.list_rights(
            args["zone"],
            modified_since=args["modified_since"],
            now=utcnow(),
            limit=args["limit"],
            cursor=args["cursor"],
        )
