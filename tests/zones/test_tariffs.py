"""Tariff versions over HTTP: numbered by the service, immutable once in force, all checked."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.accounts.models import User
from app.db import db, utcnow
from app.sessions.models import ParkingSession
from tests.conftest import bearer
from tests.support.zones import EXAMPLE_TARIFF, example_tariff
from tests.test_errors import assert_error
from zones.models import TariffVersion

TARIFFS = "/api/v1/zones/ISSY-1/tariffs"
# The suite runs in 2026; EXAMPLE_TARIFF takes effect on 2027-01-01.
BEFORE_2027 = "2026-12-01T00:00:00Z"


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def zone(make_zone):
    return make_zone("ISSY-1", rules=None)


def _versions() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(TariffVersion.version, TariffVersion.id).order_by(TariffVersion.version)
    )
    return [(version, str(row_id)) for version, row_id in rows]


def _post(client, admin, document, headers=None):
    """Post on 2026-12-01, whatever today is (with a token issued then)."""
    with time_machine.travel(BEFORE_2027, tick=False):
        return client.post(TARIFFS, json=document, headers=bearer(admin) | (headers or {}))


def test_admin_schedules_the_example_tariff_as_version_1(client, admin, zone):
    response = _post(client, admin, EXAMPLE_TARIFF)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["version"] == 1
    assert body["status"] == "scheduled"
    assert body["effective_from"] == "2026-12-31T23:00:00Z"
    expected = {key: value for key, value in EXAMPLE_TARIFF.items() if key != "effective_from"}
    assert {key: body[key] for key in expected} == expected


def test_versions_are_numbered_in_the_zone_and_listed_with_their_status(client, admin, zone):
    _post(client, admin, example_tariff(effective_from="2027-01-01T00:00:00+01:00"))
    _post(client, admin, example_tariff(effective_from="2027-02-01T00:00:00+01:00"))
    _post(client, admin, example_tariff(effective_from="2027-03-01T00:00:00+01:00"))

    with time_machine.travel("2027-02-15T12:00:00Z", tick=False):
        history = client.get(TARIFFS).get_json()

    assert [(item["version"], item["status"]) for item in history["items"]] == [
        (1, "superseded"),
        (2, "in_force"),
        (3, "scheduled"),
    ]


def test_the_history_is_paged(client, admin, zone):
    for month in (1, 2, 3):
        _post(client, admin, example_tariff(effective_from=f"2027-0{month}-01T00:00:00Z"))

    first = client.get(f"{TARIFFS}?limit=2").get_json()
    rest = client.get(f"{TARIFFS}?limit=2&cursor={first['next_cursor']}").get_json()

    assert [item["version"] for item in first["items"] + rest["items"]] == [1, 2, 3]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    "effective_from", ["2026-12-01T00:00:00Z", "2026-11-30T23:59:59Z", "2020-01-01T00:00:00Z"]
)
def test_a_version_taking_effect_now_or_before_is_409_and_changes_nothing(
    client, admin, zone, effective_from
):
    response = _post(client, admin, example_tariff(effective_from=effective_from))

    assert_error(response, 409, "tariff_in_force")
    assert _versions() == []


def test_a_version_for_the_instant_of_a_scheduled_one_replaces_it_by_a_new_row(client, admin, zone):
    _post(client, admin, EXAMPLE_TARIFF)
    [(_, old_id)] = _versions()

    response = _post(client, admin, example_tariff(fps_amount_cents=3000))

    assert response.get_json()["version"] == 2
    [(version, new_id)] = _versions()
    assert version == 2
    assert new_id != old_id
    assert client.get(TARIFFS).get_json()["items"][0]["fps_amount_cents"] == 3000


def test_a_scheduled_version_that_already_prices_a_session_is_not_replaced(
    client, admin, zone, make_user
):
    _post(client, admin, EXAMPLE_TARIFF)
    version = db.session.scalar(select(TariffVersion))
    _session_priced_by(version, make_user("driver"))

    response = _post(client, admin, example_tariff(fps_amount_cents=3000))

    assert_error(response, 409, "tariff_in_use")
    assert _versions() == [(1, str(version.id))]


def _session_priced_by(version: TariffVersion, driver: User) -> None:
    starts_at = version.effective_from + timedelta(hours=10)
    db.session.add(
        ParkingSession(
            user_id=driver.id,
            plate="AB123CD",
            plate_raw="AB-123-CD",
            zone_id=version.zone_id,
            tariff_version_id=version.id,
            profile="visitor",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            max_ends_at=starts_at + timedelta(hours=2),
            held_until=starts_at + timedelta(minutes=30),
            currency="EUR",
        )
    )
    db.session.commit()


def _without(key):
    document = copy.deepcopy(EXAMPLE_TARIFF)
    del document[key]
    return document


def _profiles(**profiles):
    return {"profiles": {"visitor": {"price_points": [[0, 0], [60, 240]]}} | profiles}


def _hours(*windows):
    return {
        "paid_hours": [{"days": days, "from": start, "to": end} for days, start, end in windows]
    }


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"effective_from": "2027-01-01T00:00:00"}, "effective_from", "aware"),
        ({"currency": "XYZ"}, "currency", "Must be one of"),
        ({"currency": "eur"}, "currency", "Must be one of"),
        ({"max_stay_minutes": 0}, "max_stay_minutes", ""),
        ({"max_stay_minutes": "120"}, "max_stay_minutes", ""),
        ({"grace_minutes": -1}, "grace_minutes", ""),
        ({"fps_amount_cents": 35.5}, "fps_amount_cents", ""),
        ({"paid_hours": "09:00-19:00"}, "paid_hours", "list of windows"),
        (_hours((["lun"], "09:00", "19:00")), "paid_hours", "unknown days ['lun']"),
        (_hours(([], "09:00", "19:00")), "paid_hours", "[0].days"),
        (_hours((["mon", "mon"], "09:00", "19:00")), "paid_hours", "repeated"),
        (_hours((["mon"], "9:00", "19:00")), "paid_hours", "[0].from: '9:00'"),
        (_hours((["mon"], "09:00", "19:60")), "paid_hours", "[0].to"),
        (_hours((["mon"], "24:00", "06:00")), "paid_hours", "[0].from: '24:00'"),
        (_hours((["mon"], "10:00", "10:00")), "paid_hours", "cannot start and end"),
        ({"paid_hours": [{"days": ["mon"], "from": "09:00"}]}, "paid_hours", "exactly"),
        (
            _hours((["mon", "tue"], "09:00", "19:00"), (["tue"], "18:00", "20:00")),
            "paid_hours",
            "windows [0] and [1] overlap on tue",
        ),
        (
            _hours((["fri"], "20:00", "02:00"), (["sat"], "01:00", "12:00")),
            "paid_hours",
            "overlap on sat",
        ),
        (
            _hours((["sun"], "22:00", "06:00"), (["mon"], "05:00", "12:00")),
            "paid_hours",
            "overlap on mon",
        ),
        (
            _hours((["mon"], "00:00", "24:00"), (["mon"], "10:00", "11:00")),
            "paid_hours",
            "overlap on mon",
        ),
        ({"profiles": {}}, "profiles", "visitor"),
        (
            {"profiles": {"resident": {"price_points": [[0, 0], [60, 100]]}}},
            "profiles",
            "The visitor profile is required",
        ),
        (
            {"profiles": {"visitor": {"price_points": [[5, 0], [60, 240]]}}},
            "profiles",
            "first point must be at minute 0",
        ),
        (
            {"profiles": {"visitor": {"price_points": [[0, 0], [60, 240], [60, 300]]}}},
            "profiles",
            "minutes must increase strictly",
        ),
        (
            {"profiles": {"visitor": {"price_points": [[0, 0], [60, 240], [120, 200]]}}},
            "profiles",
            "cents may not decrease",
        ),
        (
            {"profiles": {"visitor": {"price_points": [[0, 0], [60, 2.4]]}}},
            "profiles",
            "two whole numbers",
        ),
        ({"profiles": {"visitor": {"price_points": []}}}, "profiles", "visitor.price_points"),
        ({"profiles": {"visitor": {"points": [[0, 0]]}}}, "profiles", "visitor: a profile is"),
        (
            _profiles(resident={"price_points": [[0, 0]], "max_stay_minutes": 0}),
            "profiles",
            "resident.max_stay_minutes",
        ),
        (_profiles(Resident={"price_points": [[0, 0]]}), "profiles", "'Resident'"),
        ({"tariff_name": "Issy 2027"}, "tariff_name", "Unknown field"),
    ],
)
def test_a_bad_tariff_field_is_422_saying_where_and_changes_nothing(
    client, admin, zone, changes, field, words
):
    response = _post(client, admin, example_tariff(**changes))

    body = assert_error(response, 422, "validation_error")
    assert words in " ".join(body["errors"][field])
    assert _versions() == []


@pytest.mark.parametrize("field", ["effective_from", "currency", "paid_hours", "profiles"])
def test_a_missing_tariff_field_is_422(client, admin, zone, field):
    response = _post(client, admin, _without(field))

    assert field in assert_error(response, 422, "validation_error")["errors"]


@pytest.mark.parametrize(
    "windows",
    [
        [(["mon"], "09:00", "12:00"), (["mon"], "12:00", "19:00")],
        [(["mon"], "20:00", "02:00"), (["tue"], "02:00", "12:00")],
        [(["sun"], "22:00", "06:00"), (["mon"], "06:00", "12:00")],
        [(["mon", "tue"], "19:00", "24:00")],
        [],
    ],
)
def test_windows_that_only_touch_are_accepted(client, admin, zone, windows):
    response = _post(client, admin, example_tariff(**_hours(*windows)))

    assert response.status_code == 201, response.get_json()


def test_a_tariff_for_a_zone_that_does_not_exist_is_404(client, admin):
    response = _post(client, admin, EXAMPLE_TARIFF)

    assert_error(response, 404, "zone_not_found")


def test_scheduling_honours_the_idempotency_key(client, admin, zone):
    key = {"Idempotency-Key": "tariff-2027"}

    first = _post(client, admin, EXAMPLE_TARIFF, key)
    again = _post(client, admin, EXAMPLE_TARIFF, key)

    assert again.get_json() == first.get_json()
    assert [version for version, _ in _versions()] == [1]


@pytest.mark.postgres_only
def test_versions_posted_at_once_get_distinct_numbers(app, admin, zone):
    starts = [(utcnow() + timedelta(days=day)).isoformat() for day in range(1, 9)]
    headers = bearer(admin)
    barrier = threading.Barrier(len(starts))
    statuses = []

    def post(effective_from: str) -> None:
        client = app.test_client()
        barrier.wait()
        document = example_tariff(effective_from=effective_from)
        response = client.post(TARIFFS, json=document, headers=headers)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(start,)) for start in starts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * len(starts)
    assert [version for version, _ in _versions()] == list(range(1, len(starts) + 1))
    assert db.session.scalar(select(func.count(TariffVersion.id))) == len(starts)
