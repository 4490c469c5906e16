"""Staff accounts and device keys, managed by admins (the CLI does the same: app/cli.py)."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.accounts import services
from app.accounts.guard import allow
from app.accounts.models import ROLES, Device, User
from app.accounts.schemas import (
    DeviceSchema,
    NewDeviceKeySchema,
    NewDeviceSchema,
    NewUserSchema,
    UserSchema,
)
from app.db import db
from app.idempotency import idempotent
from app.pagination import Page, PageArgsSchema, page_schema

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Staff and devices")


class UserListArgsSchema(PageArgsSchema):
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))


@blp.route("/users")
class Users(MethodView):
    @allow("admin")
    @blp.arguments(UserListArgsSchema, location="query")
    @blp.response(200, page_schema(UserSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """List accounts, optionally of one role."""
        return services.list_users(**args)

    @allow("admin")
    @idempotent
    @blp.arguments(NewUserSchema)
    @blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> User:
        """Create an account of any role (officers, finance staff, admins)."""
        user = services.create_user(data["email"], data["password"], data["role"])
        db.session.commit()
        return user


@blp.route("/devices")
class Devices(MethodView):
    @allow("admin")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_schema(DeviceSchema))
    def get(self, page: dict[str, Any]) -> Page:
        """List devices (scan cars, handhelds); keys are never shown again."""
        return services.list_devices(**page)

    @allow("admin")
    @idempotent(redact=frozenset({"api_key"}))
    @blp.arguments(NewDeviceSchema)
    @blp.response(201, NewDeviceKeySchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a device and its API key. The key is in this answer only."""
        device, key = services.create_device(data["name"])
        db.session.commit()
        shown = ("id", "name", "key_prefix", "created_at", "revoked_at")
        return {field: getattr(device, field) for field in shown} | {"api_key": key}


@blp.route("/devices/<uuid:device_id>")
class DeviceItem(MethodView):
    @allow("admin")
    @blp.response(200, DeviceSchema)
    def delete(self, device_id: uuid.UUID) -> Device:
        """Revoke a device's key at once."""
        device = services.revoke_device(device_id)
        db.session.commit()
        return device
