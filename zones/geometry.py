"""A zone's GeoJSON geometry: checked before it is stored, so the locate index can trust it.

GeoJSON positions are `[longitude, latitude]` (RFC 7946). A polygon ring is closed (its last
position repeats its first) and has at least four positions; shapely then judges what only
geometry can tell (self-intersections, overlapping parts of a MultiPolygon) and
`explain_validity` says where.
"""

from __future__ import annotations

import math
from typing import Any

from marshmallow import ValidationError, fields
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
MIN_RING_POSITIONS = 4
# A street-sign zone needs a few dozen vertices; this bounds what one request can make us index.
MAX_POSITIONS = 10_000


class InvalidGeometry(ValueError):
    """The message names the problem and, when it can, where it is."""


def clean_geometry(value: Any) -> dict[str, Any]:
    """The GeoJSON Polygon or MultiPolygon `value` as stored: `{type, coordinates}` of floats."""
    if not isinstance(value, dict):
        raise InvalidGeometry("Must be a GeoJSON object with `type` and `coordinates`.")
    kind = value.get("type")
    if kind not in GEOMETRY_TYPES:
        raise InvalidGeometry(f"The type must be Polygon or MultiPolygon, not {kind!r}.")
    coordinates = value.get("coordinates")
    if kind == "Polygon":
        cleaned: list[Any] = _polygon(coordinates, "coordinates")
    else:
        polygons = _list(coordinates, "coordinates", "a list of polygons")
        cleaned = [_polygon(polygon, f"coordinates[{i}]") for i, polygon in enumerate(polygons)]
    geometry = {"type": kind, "coordinates": cleaned}
    _check_with_shapely(geometry)
    return geometry


def to_shape(geometry: dict[str, Any]) -> BaseGeometry:
    """The shapely geometry of a stored (already cleaned) GeoJSON geometry."""
    return shape(geometry)


def _list(value: Any, path: str, what: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise InvalidGeometry(f"{path} must be {what} (a non-empty array).")
    return value


def _polygon(value: Any, path: str) -> list[list[list[float]]]:
    rings = _list(value, path, "a list of linear rings")
    return [_ring(ring, f"{path}[{i}]") for i, ring in enumerate(rings)]


def _ring(value: Any, path: str) -> list[list[float]]:
    positions = [_position(p, f"{path}[{i}]") for i, p in enumerate(_list(value, path, "a ring"))]
    if len(positions) < MIN_RING_POSITIONS:
        raise InvalidGeometry(
            f"{path} has too few points: a ring needs at least {MIN_RING_POSITIONS} positions, "
            "the last repeating the first."
        )
    if positions[0] != positions[-1]:
        raise InvalidGeometry(f"{path} is an open ring: its last position must repeat its first.")
    return positions


def _position(value: Any, path: str) -> list[float]:
    if not isinstance(value, list) or len(value) not in (2, 3) or not all(map(_is_number, value)):
        raise InvalidGeometry(f"{path} must be a position [longitude, latitude].")
    lon, lat = float(value[0]), float(value[1])
    if not -180 <= lon <= 180:
        raise InvalidGeometry(f"{path}: longitude {lon} is out of range [-180, 180].")
    if not -90 <= lat <= 90:
        raise InvalidGeometry(f"{path}: latitude {lat} is out of range [-90, 90].")
    return [lon, lat]  # an altitude says nothing about where a car is parked


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_with_shapely(geometry: dict[str, Any]) -> None:
    count = sum(len(ring) for polygon in _polygons(geometry) for ring in polygon)
    if count > MAX_POSITIONS:
        raise InvalidGeometry(f"Too many positions ({count}); at most {MAX_POSITIONS}.")
    geometry_shape = to_shape(geometry)
    if not geometry_shape.is_valid:
        raise InvalidGeometry(f"Not a valid polygon: {explain_validity(geometry_shape)}.")
    if geometry_shape.area == 0:
        raise InvalidGeometry("The geometry encloses no area.")


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    coordinates = geometry["coordinates"]
    return [coordinates] if geometry["type"] == "Polygon" else coordinates


class GeometryField(fields.Dict):
    """A GeoJSON Polygon or MultiPolygon, checked by `clean_geometry`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "GeoJSON Polygon or MultiPolygon, positions as [longitude, latitude]."
        )
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return clean_geometry(value)
        except InvalidGeometry as exc:
            raise ValidationError(str(exc)) from exc
