"""Which active zones hold a point (a driver's GPS fix), from an in-memory index per worker.

Each gunicorn worker, on each machine, keeps an STRtree of the active zones' shapes, so a lookup
tests the few zones whose bounding box holds the point, not every polygon. Before each lookup one
small query reads the zones' fingerprint (how many, and the sum of their random revisions: see
`Zone.revision`); when it is not the one the index was built from, the index is rebuilt. A zone
created, reshaped or deactivated through any worker is thus located right by every worker from
its next request on.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from shapely import STRtree, prepare
from shapely.geometry import Point
from sqlalchemy import func, select

from app.db import db
from zones.geometry import to_shape
from zones.models import Zone

Fingerprint = tuple[int, int]
ZoneRow = tuple[uuid.UUID, dict[str, Any], bool, int]
_EXTENSION = "zone_index"


@dataclass(frozen=True)
class ZoneIndex:
    """The active zones' shapes in an STRtree, and the fingerprint of the rows it was built from."""

    fingerprint: Fingerprint
    tree: STRtree
    zone_ids: tuple[uuid.UUID, ...]

    @classmethod
    def build(cls, rows: Iterable[ZoneRow]) -> ZoneIndex:
        """An index of the active rows; the fingerprint counts every row, active or not."""
        count, revisions, ids, shapes = 0, 0, [], []
        for zone_id, geometry, active, revision in rows:
            count, revisions = count + 1, revisions + revision
            if active:
                shape = to_shape(geometry)
                prepare(shape)
                ids.append(zone_id)
                shapes.append(shape)
        return cls(fingerprint=(count, revisions), tree=STRtree(shapes), zone_ids=tuple(ids))

    def zone_ids_at(self, lon: float, lat: float) -> list[uuid.UUID]:
        """The zones covering the point; a point on a shared border is in both zones."""
        hits = self.tree.query(Point(lon, lat), predicate="intersects")
        return [self.zone_ids[i] for i in hits]


class _IndexHolder:
    """One app's index; the lock keeps concurrent requests from rebuilding it twice."""

    def __init__(self) -> None:
        self.index: ZoneIndex | None = None
        self.lock = threading.Lock()


def zones_fingerprint() -> Fingerprint:
    """(count, sum of revisions) of every zone: one small aggregate over the zones table."""
    count, revisions = db.session.execute(
        select(func.count(Zone.id), func.coalesce(func.sum(Zone.revision), 0))
    ).one()
    return int(count), int(revisions)


def current_index() -> ZoneIndex:
    """This worker's index, rebuilt first if the zones changed since it was built."""
    holder: _IndexHolder = current_app.extensions.setdefault(_EXTENSION, _IndexHolder())
    fingerprint = zones_fingerprint()
    index = holder.index
    if index is not None and index.fingerprint == fingerprint:
        return index
    with holder.lock:
        index = holder.index
        if index is None or index.fingerprint != fingerprint:
            index = holder.index = build_index()
    return index


def build_index() -> ZoneIndex:
    """An index of the zones as they are now (what a worker pays once after a zone write)."""
    rows = db.session.execute(select(Zone.id, Zone.geometry, Zone.active, Zone.revision))
    # The fingerprint comes from the rows themselves, so the index never claims a state newer
    # than the one it holds (a write between the two queries only rebuilds it once more).
    return ZoneIndex.build(rows)  # type: ignore[arg-type]  (rows are tuples)


def zones_at(lat: float, lon: float) -> list[Zone]:
    """The active zones that hold the point, by code."""
    zone_ids = current_index().zone_ids_at(lon, lat)
    if not zone_ids:
        return []
    return list(
        db.session.scalars(
            select(Zone).where(Zone.id.in_(zone_ids), Zone.active).order_by(Zone.code)
        )
    )
