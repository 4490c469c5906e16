"""Marshmallow fields shared by every schema: instants and money as the contract writes them."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import fields


class Instant(fields.AwareDateTime):
    """An RFC 3339 timestamp: read with an offset (a naive one is refused), answered in UTC `Z`."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("metadata", {}).setdefault("example", "2027-03-02T09:00:00Z")
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:  # type: ignore[no-untyped-def]
        return super()._deserialize(value, attr, data, **kwargs).astimezone(UTC)


class Cents(fields.Integer):
    """An amount in integer minor units (`*_cents`); never a float."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(strict=True, **kwargs)
