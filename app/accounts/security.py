"""Passwords, access tokens, refresh tokens and device keys: the cryptography in one place."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
ACCESS_TOKEN_ALGORITHM = "HS256"
ACCESS_TOKEN_AUDIENCE = "parking-api"
DEVICE_KEY_PREFIX = "pdk_"
# A hash verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class InvalidToken(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def issue_access_token(
    user_id: uuid.UUID, role: str, now: datetime, lifetime: timedelta, key: str
) -> str:
    claims = {
        "sub": str(user_id),
        "role": role,
        "aud": ACCESS_TOKEN_AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, key, algorithm=ACCESS_TOKEN_ALGORITHM)


def read_access_token(token: str, key: str) -> AccessClaims:
    """The claims of a valid token; `InvalidToken("token_expired" | "invalid_token")` otherwise."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ACCESS_TOKEN_ALGORITHM],
            audience=ACCESS_TOKEN_AUDIENCE,
            options={"require": ["sub", "exp", "iat", "aud"]},
        )
        return AccessClaims(user_id=uuid.UUID(claims["sub"]), role=str(claims["role"]))
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("token_expired") from exc
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise InvalidToken("invalid_token") from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_device_key() -> str:
    return DEVICE_KEY_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (refresh token, device key): fast to look up, not to invert.

    Passwords are low-entropy and use argon2 instead.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
