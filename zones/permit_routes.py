"""Permits: admins grant and revoke them; officers (and admins) read them."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts.guard import allow
from app.db import db
from app.idempotency import idempotent
from app.pagination import Page, page_schema
from zones import permits
from zones.models import Permit
from zones.schemas import PermitListArgsSchema, PermitSchema

blp = Blueprint("permits", __name__, url_prefix="/api/v1", description="Permits")


@blp.route("/permits")
class Permits(MethodView):
    @allow("officer", "admin")
    @blp.arguments(PermitListArgsSchema, location="query")
    @blp.response(200, page_schema(PermitSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Permits, newest first, revoked ones included; `?plate=` in any spelling, `?zone=`."""
        return permits.list_permits(**args)

    @allow("admin")
    @idempotent
    @blp.arguments(PermitSchema)
    @blp.response(201, PermitSchema)
    def post(self, data: dict[str, Any]) -> Permit:
        """Grant a permit: disabled and exempt ones exempt the plate from paying, resident and
        business ones open their tariff profile to it."""
        permit = permits.create_permit(**data)
        db.session.commit()
        return permit


@blp.route("/permits/<uuid:permit_id>")
class PermitItem(MethodView):
    @allow("admin")
    @blp.response(200, PermitSchema)
    def delete(self, permit_id: uuid.UUID) -> Permit:
        """Revoke a permit at once; it stays listed (revoked) for the scan cars' sync."""
        permit = permits.revoke_permit(permit_id)
        db.session.commit()
        return permit
