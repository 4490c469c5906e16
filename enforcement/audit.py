"""The lookup audit and the keyed hash of plates (HMAC-SHA256 with PLATE_HASH_KEY).

A keyed hash, not a plain one: French plates are few enough (about 10^9) that anyone could hash
them all and reverse an unkeyed digest. The same key makes the pseudonyms that replace plates
past their retention, so a plate maps to the same hash and pseudonym everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import insert

from app.accounts.guard import Principal
from app.db import db, new_id
from app.plates import PSEUDONYM_LENGTH, PSEUDONYM_PREFIX
from enforcement.models import PlateLookup

# The one answer whose plate is kept readable: the evidence of a post-parking fee.
EVIDENCE_STATUS = "unpaid"


@dataclass(frozen=True)
class Lookup:
    """One plate looked up: `plate` normalised, or None for a string that is no plate."""

    plate: str | None
    status: str


def plate_hash(plate: str) -> str:
    """The keyed hash of a normalised plate, as 64 hex digits."""
    key = current_app.config["SETTINGS"].plate_hash_secret
    return hmac.new(key, plate.encode(), hashlib.sha256).hexdigest()


def pseudonym(plate: str) -> str:
    """What replaces a plate past its retention: the same for the same plate, never a plate."""
    return PSEUDONYM_PREFIX + plate_hash(plate)[: PSEUDONYM_LENGTH - len(PSEUDONYM_PREFIX)]


def record_lookups(
    caller: Principal,
    zone_id: uuid.UUID,
    assessed_at: datetime,
    lookups: Sequence[Lookup],
    now: datetime,
) -> None:
    """One audit row per lookup, all in one INSERT (a scan car checks up to 500 plates)."""
    rows = [
        {
            "id": new_id(),
            "looked_up_at": now,
            "caller_kind": caller.kind,
            "caller_id": caller.id,
            "caller_role": caller.role,
            "zone_id": zone_id,
            "assessed_at": assessed_at,
            "status": lookup.status,
            "plate_hash": plate_hash(lookup.plate) if lookup.plate is not None else None,
            "plate": lookup.plate if lookup.status == EVIDENCE_STATUS else None,
        }
        for lookup in lookups
    ]
    if rows:
        # With RETURNING, SQLAlchemy sends the rows as one multi-row INSERT ("insertmanyvalues")
        # on both backends, compiled once per process. (The ORM's bulk insert would leave out
        # the None plates and split the rows into one statement per change of shape; `.values()`
        # with a list is compiled again on every call.)
        table = PlateLookup.__table__
        db.session.execute(insert(table).returning(table.c.id), rows)
