from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select, update

from app.accounts.models import Vehicle
from app.db import db, utcnow
from app.idempotency import IdempotencyRecord
from tests.conftest import bearer
from tests.test_errors import assert_error


def post_vehicle(client, headers, key, plate="AB-123-CD"):
    return client.post(
        "/api/v1/me/vehicles", json={"plate": plate}, headers={**headers, "Idempotency-Key": key}
    )


def count_vehicles() -> int:
    return db.session.scalar(select(func.count()).select_from(Vehicle))


def test_the_same_key_and_body_replays_the_first_answer_without_a_second_effect(
    client, driver_headers
):
    first = post_vehicle(client, driver_headers, "k-1")
    again = post_vehicle(client, driver_headers, "k-1")

    assert again.status_code == first.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_vehicles() == 1


def test_a_refusal_is_replayed_too(client, driver_headers):
    post_vehicle(client, driver_headers, "k-1")

    conflict = post_vehicle(client, driver_headers, "k-2")
    replay = post_vehicle(client, driver_headers, "k-2")

    assert conflict.status_code == replay.status_code == 409
    assert replay.get_json() == conflict.get_json()


def test_the_same_key_with_another_body_is_422(client, driver_headers):
    post_vehicle(client, driver_headers, "k-1")

    response = post_vehicle(client, driver_headers, "k-1", plate="ZZ-999-ZZ")

    assert_error(response, 422, "idempotency_key_reused")
    assert count_vehicles() == 1


def test_keys_are_scoped_to_the_caller(client, driver_headers, headers_for):
    post_vehicle(client, driver_headers, "shared-key")

    other = post_vehicle(client, headers_for("driver"), "shared-key")

    assert other.status_code == 201
    assert count_vehicles() == 2


def test_a_key_still_running_is_409_and_a_dead_claim_expires_after_a_minute(client, driver_headers):
    post_vehicle(client, driver_headers, "k-1")
    # As if the first request's worker had died before storing its answer.
    db.session.execute(
        update(IdempotencyRecord).values(
            state="in_progress", response_status=None, claimed_at=utcnow()
        )
    )
    db.session.execute(Vehicle.__table__.delete())
    db.session.commit()

    running = post_vehicle(client, driver_headers, "k-1")
    with time_machine.travel(timedelta(minutes=2)):
        retried = post_vehicle(client, driver_headers, "k-1")

    assert_error(running, 409, "request_in_progress")
    assert retried.status_code == 201
    assert count_vehicles() == 1


def test_a_key_is_forgotten_after_24_hours(client, driver):
    post_vehicle(client, bearer(driver), "k-1")

    with time_machine.travel(timedelta(hours=25)):
        later = post_vehicle(client, bearer(driver), "k-1")

    assert_error(later, 409, "vehicle_exists")  # ran again, rather than replayed


def test_an_overlong_key_is_422(client, driver_headers):
    response = post_vehicle(client, driver_headers, "k" * 256)

    assert_error(response, 422, "validation_error")
    assert count_vehicles() == 0
