"""Permits: the rights of a plate in zones (merged with the zones branch's fuller module)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from app.db import db
from zones.models import Permit, permit_zones


def has_profile_permit(plate: str, zone_id: uuid.UUID, profile: str, at: datetime) -> bool:
    """A valid permit of kind `profile` for the zone, at `at` (valid_until exclusive)."""
    found = db.session.scalar(
        select(Permit.id)
        .join(permit_zones, permit_zones.c.permit_id == Permit.id)
        .where(
            Permit.plate == plate,
            Permit.kind == profile,
            permit_zones.c.zone_id == zone_id,
            Permit.revoked_at.is_(None),
            Permit.valid_from <= at,
            Permit.valid_until > at,
        )
        .limit(1)
    )
    return found is not None
