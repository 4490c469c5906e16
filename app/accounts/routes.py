"""Registration, login and tokens, the caller's own account and vehicles."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts import services
from app.accounts.guard import allow, current_principal, public
from app.accounts.models import User, Vehicle
from app.accounts.schemas import (
    CredentialsSchema,
    RefreshSchema,
    RegisterSchema,
    TokenPairSchema,
    UserSchema,
    VehicleSchema,
)
from app.db import db
from app.extensions import limiter
from app.idempotency import idempotent
from app.pagination import Page, PageArgsSchema, page_schema

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and vehicles")


def _login_limit() -> str:
    return current_app.config["SETTINGS"].login_rate_limit


def _login_email_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"login-email:{str(email).strip().lower()}"


@blp.route("/auth/register")
class Register(MethodView):
    @public
    @idempotent
    @blp.arguments(RegisterSchema)
    @blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> User:
        """Create a driver account."""
        user = services.create_user(data["email"], data["password"], "driver")
        db.session.commit()
        return user


@blp.route("/auth/login")
class Login(MethodView):
    decorators = [
        limiter.limit(_login_limit),
        limiter.limit(_login_limit, key_func=_login_email_key),
    ]

    @public
    @blp.arguments(CredentialsSchema)
    @blp.response(200, TokenPairSchema)
    def post(self, data: dict[str, Any]) -> services.TokenPair:
        """Exchange e-mail and password for an access token (15 min) and a refresh token."""
        tokens = services.login(data["email"], data["password"], current_app.config["SETTINGS"])
        db.session.commit()
        return tokens


@blp.route("/auth/refresh")
class Refresh(MethodView):
    @public
    @blp.arguments(RefreshSchema)
    @blp.response(200, TokenPairSchema)
    def post(self, data: dict[str, Any]) -> services.TokenPair:
        """Trade a refresh token for a new pair; the old refresh token is spent."""
        tokens = services.refresh(data["refresh_token"], current_app.config["SETTINGS"])
        db.session.commit()
        return tokens


@blp.route("/auth/logout")
class Logout(MethodView):
    @public
    @blp.arguments(RefreshSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any]) -> None:
        """Revoke a refresh token (the access token expires by itself within minutes)."""
        services.logout(data["refresh_token"])
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    @allow("driver", "officer", "finance", "admin")
    @blp.response(200, UserSchema)
    def get(self) -> User:
        """The account behind the access token."""
        return services.get_user(current_principal().id)


@blp.route("/me/vehicles")
class Vehicles(MethodView):
    @allow("driver")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_schema(VehicleSchema))
    def get(self, page: dict[str, Any]) -> Page:
        """The caller's vehicles."""
        return services.list_vehicles(current_principal().id, **page)

    @allow("driver")
    @idempotent
    @blp.arguments(VehicleSchema)
    @blp.response(201, VehicleSchema)
    def post(self, data: dict[str, Any]) -> Vehicle:
        """Add a vehicle; the plate may be typed in any common spelling."""
        vehicle = services.add_vehicle(current_principal().id, data["plate"], data["label"])
        db.session.commit()
        return vehicle


@blp.route("/me/vehicles/<uuid:vehicle_id>")
class VehicleItem(MethodView):
    @allow("driver")
    @blp.response(204)
    def delete(self, vehicle_id: uuid.UUID) -> None:
        """Remove one of the caller's vehicles."""
        services.remove_vehicle(current_principal().id, vehicle_id)
        db.session.commit()
