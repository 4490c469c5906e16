"""What makes a zone's code, time zone, holiday region and geometry acceptable.

Used by the zones services (for every caller, demo data included) and by the API schemas, so
both refuse with the same words: each check raises a 422 naming its field.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import holidays

from app.errors import field_error
from zones.geometry import InvalidGeometry, clean_geometry

# As printed on street signs: letters, digits and dashes, compared in upper case.
ZONE_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
# Path segments of the zones API that a zone code would shadow.
RESERVED_CODES = frozenset({"LOCATE"})


def normalize_zone_code(code: str) -> str:
    return code.strip().upper()


def check_zone_code(code: str) -> str:
    normalized = normalize_zone_code(code)
    if not ZONE_CODE.fullmatch(normalized):
        raise field_error("code", "Use 1 to 32 letters, digits, dashes or underscores.")
    if normalized in RESERVED_CODES:
        raise field_error("code", f"{normalized} is reserved by the API.")
    return normalized


def check_timezone(name: str) -> str:
    if name not in _timezones():
        raise field_error("timezone", f"{name!r} is not an IANA time zone.")
    return name


def check_holiday_region(country: str, subdivision: str | None) -> tuple[str, str | None]:
    """A country (ISO 3166 alpha-2) and subdivision whose public holidays are known."""
    country = country.upper()
    known = _holiday_regions()
    if len(country) != 2 or country not in known:
        raise field_error("country", f"No public holiday calendar is known for {country!r}.")
    if subdivision is not None and subdivision not in known[country]:
        raise field_error("subdivision", f"{country} has no subdivision {subdivision!r}.")
    return country, subdivision


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _holiday_regions() -> dict[str, list[str]]:
    return holidays.list_supported_countries()


def check_geometry(geometry: Any) -> dict[str, Any]:
    """The geometry as stored (see zones.geometry.clean_geometry)."""
    try:
        return clean_geometry(geometry)
    except InvalidGeometry as exc:
        raise field_error("geometry", str(exc)) from exc
