"""GET /enforcement/rights: what scan cars sync, valid now or changed since, revoked included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import db, utcnow
from app.plates import Plate
from app.sessions import settlement
from app.sessions.models import ParkingSession
from tests.enforcement.conftest import RIGHTS
from tests.support.sessions import paris
from tests.test_errors import assert_error
from zones.permits import create_permit, revoke_permit

NOW = paris(2027, 3, 2, 10, 0)


def _permit(plate: str, kind: str, since, until, zones=("ISSY-1",)):
    return create_permit(Plate.parse(plate), kind, zones, since, until)


@pytest.fixture
def world(clock, zone, make_zone, paid_session, start, client, auth):
    """Rights of every kind in ISSY-1 (and some elsewhere), named by what they show."""
    other = make_zone("ISSY-2")
    clock.move_to(paris(2027, 3, 2, 8, 0))
    old = paid_session(zone, "OLD1", paris(2027, 3, 2, 8, 0), minutes=20, status="ended")
    clock.move_to(NOW)
    stopped = start(plate="STOP1", duration_minutes=60).get_json()["session"]
    client.post(f"/api/v1/sessions/{stopped['id']}/stop", headers=auth())
    start(card="declined_on_charge", plate="DECL1", duration_minutes=30)  # cancelled
    start(card="three_d_secure", plate="PEND1", duration_minutes=30)  # pending: not a right
    running = start(plate="RUN1", duration_minutes=30).get_json()["session"]
    paid_session(other, "RUN1", NOW)  # another zone
    week = timedelta(days=7)
    valid = _permit("EXEMPT1", "exempt", NOW - week, NOW + week)
    future = _permit("LATER1", "disabled", NOW + week, NOW + 2 * week)
    _permit("RESID1", "resident", NOW - week, NOW + week)  # opens a profile, exempts nothing
    _permit("ELSE1", "exempt", NOW - week, NOW + week, zones=("ISSY-2",))
    revoked = revoke_permit(_permit("GONE1", "exempt", NOW - week, NOW + week).id)
    db.session.commit()
    return {
        "old": str(old.id),
        "stopped": stopped["id"],
        "running": running["id"],
        "valid": str(valid.id),
        "future": str(future.id),
        "revoked": str(revoked.id),
    }


def _feed(client, headers, **query):
    response = client.get(RIGHTS, query_string={"zone": "ISSY-1"} | query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _by_plate(items):
    return {item["plate"]: (item["kind"], item["revoked"]) for item in items}


def test_without_modified_since_the_rights_valid_now_or_later(world, client, device_headers):
    feed = _feed(client, device_headers)

    assert _by_plate(feed["items"]) == {
        "RUN1": ("session", False),
        "EXEMPT1": ("permit", False),
        "LATER1": ("permit", False),
    }
    assert feed["next_cursor"] is None
    running = next(item for item in feed["items"] if item["plate"] == "RUN1")
    assert running == {
        "kind": "session",
        "id": world["running"],
        "plate": "RUN1",
        "valid_from": "2027-03-02T09:00:00Z",
        "valid_until": "2027-03-02T09:30:00Z",
        "revoked": False,
        "updated_at": "2027-03-02T09:00:00Z",
    }


def test_with_modified_since_every_change_including_revoked_rights(world, client, device_headers):
    feed = _feed(client, device_headers, modified_since="2027-03-02T08:30:00+01:00")

    assert _by_plate(feed["items"]) == {
        "STOP1": ("session", True),  # stopped before its end
        "DECL1": ("session", True),  # cancelled: its card was declined
        "RUN1": ("session", False),
        "EXEMPT1": ("permit", False),
        "LATER1": ("permit", False),
        "GONE1": ("permit", True),
    }
    stopped = next(item for item in feed["items"] if item["plate"] == "STOP1")
    assert (stopped["valid_from"], stopped["valid_until"]) == (
        "2027-03-02T09:00:00Z",
        "2027-03-02T09:00:00Z",
    )


def test_an_old_modified_since_brings_back_ended_rights(world, client, device_headers):
    feed = _feed(client, device_headers, modified_since="2027-03-01T00:00:00Z")

    assert _by_plate(feed["items"])["OLD1"] == ("session", False)


def test_the_feed_pages_sessions_then_permits_with_a_stable_cursor(world, client, device_headers):
    whole = _feed(client, device_headers, modified_since="2027-03-01T00:00:00Z")["items"]
    pages, cursor = [], None
    while True:
        query = {"modified_since": "2027-03-01T00:00:00Z", "limit": 2}
        page = _feed(client, device_headers, **query | ({"cursor": cursor} if cursor else {}))
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert [item for page in pages for item in page] == whole
    kinds = [item["kind"] for item in whole]
    assert kinds == ["session"] * 4 + ["permit"] * 3


def test_a_right_changed_while_paging_comes_again_later(world, client, device_headers, clock, auth):
    query = {"modified_since": "2027-03-02T08:30:00+01:00", "limit": 1}
    first = _feed(client, device_headers, **query)
    clock.move_to(NOW + timedelta(minutes=5))
    client.post(f"/api/v1/sessions/{world['running']}/stop", headers=auth())

    rest, cursor = [], first["next_cursor"]
    while cursor:
        page = _feed(client, device_headers, **query | {"cursor": cursor})
        rest += page["items"]
        cursor = page["next_cursor"]

    seen = first["items"] + rest
    running = [item for item in seen if item["id"] == world["running"]]
    assert running[-1]["revoked"] is True
    assert running[-1]["valid_until"] == "2027-03-02T09:05:00Z"
    assert {item["plate"] for item in seen} >= {"STOP1", "DECL1", "EXEMPT1", "LATER1", "GONE1"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ2aXAiLCAiMjAyNy0wMy0wMlQwOTowMDowMCswMDowMCIsICJ4Il0"}, "cursor"),
        ({"limit": 201}, "limit"),
        ({"modified_since": "2027-03-02T10:00:00"}, "modified_since"),
        ({"zone": ""}, "zone"),
    ],
)
def test_bad_feed_queries_are_422(client, zone, device_headers, query, field):
    response = client.get(RIGHTS, query_string={"zone": "ISSY-1"} | query, headers=device_headers)

    assert field in assert_error(response, 422, "validation_error")["errors"]


def test_the_feed_of_an_unknown_zone_is_404(client, device_headers):
    response = client.get(RIGHTS, query_string={"zone": "NOPE"}, headers=device_headers)

    assert_error(response, 404, "zone_not_found")


def test_sessions_that_run_to_their_end_are_not_revoked(clock, zone, start, client, device_headers):
    start(plate="PREPAID1", duration_minutes=30)
    clock.move_to(paris(2027, 3, 2, 18, 0))
    start(plate="OPEN1", open_ended=True)
    clock.move_to(paris(2027, 3, 3, 10, 1))

    settlement.settle(utcnow())  # closes the first, ends the second at its max and captures

    feed = _feed(client, device_headers, modified_since="2027-03-01T00:00:00Z")
    assert _by_plate(feed["items"]) == {
        "PREPAID1": ("session", False),
        "OPEN1": ("session", False),
    }
    assert db.session.scalars(select(ParkingSession.stopped_at)).all() == [None, None]
