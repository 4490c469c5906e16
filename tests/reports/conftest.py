"""Fixtures of the report tests: finance credentials, a second zone paid around the clock,
and reading a CSV answer back into header, rows and trailer."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from tests.conftest import bearer
from tests.support.zones import EXAMPLE_RULES
from zones.models import Zone

# TARIFFS.md's second example: paid every day, all day, one cent a minute.
ALL_DAY_RULES = copy.deepcopy(EXAMPLE_RULES) | {
    "paid_hours": [
        {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "from": "00:00",
            "to": "24:00",
        }
    ],
    "free_on_public_holidays": False,
    "max_stay_minutes": 2880,
    "profiles": {"visitor": {"price_points": [[0, 0], [2880, 2880]]}},
}


@dataclass
class Csv:
    header: list[str]
    rows: list[dict[str, str]]
    trailer: str


def read_csv(body: bytes, *, excel: bool = False) -> Csv:
    text = body.decode("utf-8-sig" if excel else "utf-8")
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))
    header, *rows, trailer = lines
    return Csv(header, [dict(zip(header, row, strict=True)) for row in rows], trailer[0])


@pytest.fixture
def finance(clock, make_user) -> Callable[[], dict[str, str]]:
    """Fresh credentials of a finance user at the pinned time."""
    user = make_user("finance")
    return lambda: bearer(user)


@pytest.fixture
def night_zone(make_zone: Callable[..., Zone]) -> Zone:
    return make_zone("NUIT-2", rules=ALL_DAY_RULES)


@pytest.fixture
def get_report(client: FlaskClient, finance) -> Callable[..., object]:
    """GET a report as finance, read to its end (a streamed body holds its request context
    until it is read; two unread at once in one thread would interleave them)."""

    def get(name: str, **params: object):
        response = client.get(f"/api/v1/reports/{name}", query_string=params, headers=finance())
        response.get_data()
        return response

    return get
