from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from app.accounts.models import ROLES
from app.fields import Instant
from app.plates import PlateField

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
# Passwords seen at the top of every breach list; length alone would let these through.
_COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "qwertyuiop",
        "azertyuiop",
        "password12",
        "password123",
        "motdepasse",
        "motdepasse1",
        "iloveyou12",
        "1111111111",
        "abcdefghij",
        "parking123",
    }
)


def check_password_strength(password: str) -> None:
    """Raise ValidationError for a password too weak to protect a card on file."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(set(password)) < 5 or password.lower() in _COMMON_PASSWORDS:
        raise ValidationError("This password is too easy to guess.")


class CredentialsSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=MAX_PASSWORD_LENGTH)
    )


class RegisterSchema(CredentialsSchema):
    @validates("password")
    def _strong(self, value: str, data_key: str) -> None:
        check_password_strength(value)


class NewUserSchema(RegisterSchema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class UserSchema(Schema):
    id = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    created_at = Instant(dump_only=True)


class TokenPairSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String(dump_default="Bearer")
    expires_in = fields.Integer(metadata={"description": "Seconds until the access token expires."})


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=256))


class NewDeviceSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class DeviceSchema(Schema):
    id = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    key_prefix = fields.String(dump_only=True)
    created_at = Instant(dump_only=True)
    revoked_at = Instant(dump_only=True, allow_none=True)


class NewDeviceKeySchema(DeviceSchema):
    api_key = fields.String(dump_only=True, metadata={"description": "Shown once, never again."})


class VehicleSchema(Schema):
    id = fields.String(dump_only=True)
    plate = PlateField(required=True, metadata={"example": "AB-123-CD"})
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
