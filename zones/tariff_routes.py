"""A zone's tariff versions (public history, admin scheduling) and quotes (public)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts.guard import allow, public
from app.db import db, utcnow
from app.idempotency import idempotent
from app.pagination import Page, PageArgsSchema, page_schema
from zones import services, tariffs
from zones.quotes import ZoneQuote, quote_stay
from zones.schemas import QuoteArgsSchema, QuoteSchema
from zones.tariff_schemas import TariffVersionSchema

blp = Blueprint("tariffs", __name__, url_prefix="/api/v1", description="Tariff versions and quotes")


@blp.route("/zones/<code>/tariffs")
class Tariffs(MethodView):
    @public
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_schema(TariffVersionSchema))
    def get(self, page: dict[str, Any], code: str) -> Page:
        """The zone's tariff versions by effective_from: superseded, in force, scheduled."""
        zone = services.get_zone(code)
        return tariffs.list_tariff_versions(zone, now=utcnow(), **page)

    @allow("admin")
    @idempotent
    @blp.arguments(TariffVersionSchema)
    @blp.response(201, TariffVersionSchema)
    def post(self, data: dict[str, Any], code: str) -> dict[str, Any]:
        """Schedule a new version, numbered by the service. It must take effect after now;
        one for the same instant as a version not yet in force replaces that version."""
        now = utcnow()
        version = tariffs.schedule_tariff_version(services.get_zone(code), data, now=now)
        db.session.commit()
        return tariffs.tariff_view(version, tariffs.status_at(version, now))


@blp.route("/zones/<code>/quote")
class Quote(MethodView):
    @public
    @blp.arguments(QuoteArgsSchema, location="query")
    @blp.response(200, QuoteSchema)
    def get(self, args: dict[str, Any], code: str) -> ZoneQuote:
        """Price a stay by duration_minutes, ends_at or amount_cents (exactly one), under the
        tariff in force at starts_at (now by default), for a profile (visitor by default)."""
        return quote_stay(code, now=utcnow(), **args)
