"""Keyset pagination for every list endpoint: `?limit=&cursor=` -> `{items, next_cursor}`.

A cursor is the sort key of the last item served, so pages stay stable while rows are added and
cost the same at page 1 and page 10,000 (no OFFSET).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from app.db import db
from app.errors import field_error

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


class PageArgsSchema(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))
    cursor = fields.String(load_default=None, validate=validate.Length(max=512))


_page_schemas: dict[type[Schema], type[Schema]] = {}


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """`{items: [item], next_cursor}` for an item schema (one class each, for OpenAPI)."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _page_schemas[item_schema] = type(
            name,
            (Schema,),
            {
                "items": fields.List(fields.Nested(item_schema)),
                "next_cursor": fields.String(allow_none=True),
            },
        )
    return _page_schemas[item_schema]


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else str(v) for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, keys: tuple[InstrumentedAttribute[Any], ...]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        plain = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(plain, list) or len(plain) != len(keys):
            raise ValueError("wrong cursor length")
        return [_parse(value, key) for value, key in zip(plain, keys, strict=True)]
    except (ValueError, TypeError) as exc:
        raise field_error("cursor", "Not a cursor this list gave out.") from exc


def _parse(value: str, key: InstrumentedAttribute[Any]) -> Any:
    python_type = key.type.python_type
    if python_type is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive cursor time")
        return parsed
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    return python_type(value)


def paginate(
    statement: Select[Any],
    keys: tuple[InstrumentedAttribute[Any], ...],
    *,
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> Page:
    """Run `statement` ordered by `keys` (the last one unique), one page after `cursor`."""
    if cursor:
        values = _decode(cursor, keys)
        statement = statement.where(_after(keys, values, descending))
    order = [key.desc() if descending else key.asc() for key in keys]
    rows = list(db.session.scalars(statement.order_by(*order).limit(limit + 1)))
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = _encode([getattr(last, key.key) for key in keys])
    return Page(items=items, next_cursor=next_cursor)


def _after(
    keys: tuple[InstrumentedAttribute[Any], ...], values: list[Any], descending: bool
) -> Any:
    """(k1, k2, ...) strictly after (v1, v2, ...) in the page order."""
    clauses = []
    for i, key in enumerate(keys):
        equal_before = [keys[j] == values[j] for j in range(i)]
        beyond = key < values[i] if descending else key > values[i]
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses)
