"""Accounts, tokens, device keys and vehicles. Callers commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import ROLES, Device, RefreshToken, User, Vehicle
from app.accounts.security import (
    digest,
    hash_password,
    issue_access_token,
    new_device_key,
    new_refresh_token,
    verify_password,
)
from app.config import Settings
from app.db import db, utcnow
from app.errors import Conflict, NotFound, Unauthorized, field_error
from app.pagination import Page, paginate
from app.plates import Plate


class EmailTaken(Conflict):
    reason = "email_taken"
    message = "An account with this e-mail already exists."


class InvalidCredentials(Unauthorized):
    reason = "invalid_credentials"
    message = "Wrong e-mail or password."


class InvalidRefreshToken(Unauthorized):
    reason = "invalid_refresh_token"
    message = "The refresh token is not valid; log in again."


class VehicleExists(Conflict):
    reason = "vehicle_exists"
    message = "This plate is already one of your vehicles."


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, password: str, role: str) -> User:
    if role not in ROLES:
        raise field_error("role", f"Must be one of {', '.join(ROLES)}.")
    email = _normalize_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken()
    user = User(email=email, password_hash=hash_password(password), role=role)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same e-mail registered by a racing request
        db.session.rollback()
        raise EmailTaken() from exc
    return user


def get_user(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def list_users(*, role: str | None, limit: int, cursor: str | None) -> Page:
    statement = select(User)
    if role:
        statement = statement.where(User.role == role)
    return paginate(statement, (User.created_at, User.id), limit=limit, cursor=cursor)


def _issue_tokens(user: User, settings: Settings, now: datetime) -> TokenPair:
    lifetime = timedelta(minutes=settings.access_token_minutes)
    refresh = new_refresh_token()
    db.session.add(
        RefreshToken(
            user_id=user.id,
            token_hash=digest(refresh),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    return TokenPair(
        access_token=issue_access_token(user.id, user.role, now, lifetime, settings.secret_key),
        refresh_token=refresh,
        expires_in=int(lifetime.total_seconds()),
    )


def login(email: str, password: str, settings: Settings) -> TokenPair:
    user = db.session.scalar(select(User).where(User.email == _normalize_email(email)))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise InvalidCredentials()
    return _issue_tokens(user, settings, utcnow())


def refresh(refresh_token: str, settings: Settings) -> TokenPair:
    """Rotate: the old refresh token is spent, a new pair is issued.

    A spent token presented again means it was copied: every session of that user is closed.
    """
    now = utcnow()
    token = db.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest(refresh_token))
    )
    if token is None or token.expires_at <= now:
        raise InvalidRefreshToken()
    spent = db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if spent.rowcount != 1:
        revoke_all_refresh_tokens(token.user_id, now)
        db.session.commit()  # the lock-out must outlive the error answer, which rolls back
        raise InvalidRefreshToken()
    return _issue_tokens(get_user(token.user_id), settings, now)


def logout(refresh_token: str) -> None:
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == digest(refresh_token), RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all_refresh_tokens(user_id: uuid.UUID, now: datetime) -> None:
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def create_device(name: str) -> tuple[Device, str]:
    """A device and its API key; the key is returned once and only its hash is kept."""
    key = new_device_key()
    device = Device(name=name.strip(), key_prefix=key[:12], key_hash=digest(key))
    db.session.add(device)
    db.session.flush()
    return device, key


def list_devices(*, limit: int, cursor: str | None) -> Page:
    return paginate(select(Device), (Device.created_at, Device.id), limit=limit, cursor=cursor)


def revoke_device(device_id: uuid.UUID) -> Device:
    device = db.session.get(Device, device_id)
    if device is None:
        raise NotFound("No such device.")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    return device


def list_vehicles(owner: uuid.UUID, *, limit: int, cursor: str | None) -> Page:
    statement = select(Vehicle).where(Vehicle.user_id == owner)
    return paginate(statement, (Vehicle.created_at, Vehicle.id), limit=limit, cursor=cursor)


def add_vehicle(owner: uuid.UUID, plate: Plate, label: str | None) -> Vehicle:
    exists = select(Vehicle.id).where(Vehicle.user_id == owner, Vehicle.plate == plate.normalized)
    if db.session.scalar(exists) is not None:
        raise VehicleExists()
    vehicle = Vehicle(user_id=owner, plate=plate.normalized, plate_raw=plate.raw, label=label)
    db.session.add(vehicle)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise VehicleExists() from exc
    return vehicle


def get_vehicle(owner: uuid.UUID, vehicle_id: uuid.UUID) -> Vehicle:
    """A driver's own vehicle; another driver's is "not found", never "forbidden"."""
    vehicle = db.session.get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.user_id != owner:
        raise NotFound("No such vehicle.", reason="vehicle_not_found")
    return vehicle


def remove_vehicle(owner: uuid.UUID, vehicle_id: uuid.UUID) -> None:
    db.session.delete(get_vehicle(owner, vehicle_id))
