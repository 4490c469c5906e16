"""Zones: public reads (list, one, locate by GPS fix), admin writes."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts.guard import allow, public
from app.db import db
from app.idempotency import idempotent
from app.pagination import Page, page_schema
from zones import locator, services
from zones.models import Zone
from zones.schemas import (
    LocateArgsSchema,
    LocatedZonesSchema,
    ZoneListArgsSchema,
    ZoneSchema,
    ZoneUpdateSchema,
)

blp = Blueprint("zones", __name__, url_prefix="/api/v1", description="Zones and their geometry")


@blp.route("/zones")
class Zones(MethodView):
    @public
    @blp.arguments(ZoneListArgsSchema, location="query")
    @blp.response(200, page_schema(ZoneSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """The zones by code, optionally only the active (or inactive) ones."""
        return services.list_zones(**args)

    @allow("admin")
    @idempotent
    @blp.arguments(ZoneSchema)
    @blp.response(201, ZoneSchema)
    def post(self, data: dict[str, Any]) -> Zone:
        """Create a zone; its time zone and holiday country default to the city's."""
        zone = services.create_zone(**data)
        db.session.commit()
        return zone


# A static path: Werkzeug matches it before `/zones/<code>`, and no zone may be coded LOCATE.
@blp.route("/zones/locate")
class Locate(MethodView):
    @public
    @blp.arguments(LocateArgsSchema, location="query")
    @blp.response(200, LocatedZonesSchema)
    def get(self, args: dict[str, Any]) -> dict[str, list[Zone]]:
        """The active zones that hold a GPS fix (a point on a border is in both zones)."""
        return {"items": locator.zones_at(args["lat"], args["lon"])}


@blp.route("/zones/<code>")
class ZoneItem(MethodView):
    @public
    @blp.response(200, ZoneSchema)
    def get(self, code: str) -> Zone:
        """One zone by the code printed on its signs."""
        return services.get_zone(code)

    @allow("admin")
    @blp.arguments(ZoneUpdateSchema)
    @blp.response(200, ZoneSchema)
    def patch(self, changes: dict[str, Any], code: str) -> Zone:
        """Rename, reshape, (de)activate a zone; its code never changes."""
        zone = services.update_zone(services.get_zone(code), changes)
        db.session.commit()
        return zone
