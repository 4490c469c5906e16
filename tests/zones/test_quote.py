"""Quotes over HTTP: TARIFFS.md's worked examples, and every refusal with its reason."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import time_machine

from tests.support.zones import EXAMPLE_RULES
from tests.test_errors import assert_error

QUOTE = "/api/v1/zones/ISSY-1/quote"
TUESDAY_10 = "2027-03-02T10:00:00+01:00"


@pytest.fixture
def zone(make_zone):
    return make_zone("ISSY-1")


def _quote(client, **query):
    return client.get(f"{QUOTE}?{urlencode(query)}")


@pytest.mark.parametrize(
    ("case", "query", "minutes", "cents", "ends_at"),
    [
        (1, {"starts_at": TUESDAY_10, "duration_minutes": 30}, 30, 120, "2027-03-02T09:30:00Z"),
        (2, {"starts_at": TUESDAY_10, "duration_minutes": 7}, 7, 28, "2027-03-02T09:07:00Z"),
        (3, {"starts_at": TUESDAY_10, "duration_minutes": 61}, 61, 246, "2027-03-02T10:01:00Z"),
        (4, {"starts_at": TUESDAY_10, "duration_minutes": 90}, 90, 420, "2027-03-02T10:30:00Z"),
        (
            6,
            {"starts_at": "2027-03-06T18:30:00+01:00", "ends_at": "2027-03-08T09:30:00+01:00"},
            60,
            240,
            "2027-03-08T08:30:00Z",
        ),
        (7, {"starts_at": "2027-05-01T10:00:00+02:00", "duration_minutes": 60}, 0, 0, None),
        (9, {"starts_at": TUESDAY_10, "amount_cents": 500}, 103, 498, "2027-03-02T10:43:00Z"),
    ],
)
def test_the_worked_examples_are_quoted_to_the_cent(
    client, zone, case, query, minutes, cents, ends_at
):
    response = _quote(client, **query)

    assert response.status_code == 200, response.get_json()
    quote = response.get_json()
    assert (quote["chargeable_minutes"], quote["amount_cents"]) == (minutes, cents)
    if ends_at is not None:
        assert quote["ends_at"] == ends_at


def test_a_quote_says_everything_the_app_shows(client, zone):
    response = _quote(client, starts_at=TUESDAY_10, duration_minutes=30)

    assert response.get_json() == {
        "zone_code": "ISSY-1",
        "profile": "visitor",
        "starts_at": "2027-03-02T09:00:00Z",
        "ends_at": "2027-03-02T09:30:00Z",
        "chargeable_minutes": 30,
        "amount_cents": 120,
        "currency": "EUR",
        "max_ends_at": "2027-03-02T11:00:00Z",
        "min_charge_cents": 50,
        "fps_amount_cents": 3500,
        "tariff_version": 1,
    }


def test_a_quote_starts_now_by_default(client, zone):
    with time_machine.travel("2027-03-02T09:00:00Z", tick=False):
        response = _quote(client, duration_minutes=30)

    quote = response.get_json()
    assert (quote["starts_at"], quote["amount_cents"]) == ("2027-03-02T09:00:00Z", 120)


def test_a_plus_offset_percent_encoded_is_read_as_an_offset(client, zone):
    response = client.get(f"{QUOTE}?starts_at=2027-03-02T10:00:00%2B01:00&duration_minutes=30")

    assert response.get_json()["starts_at"] == "2027-03-02T09:00:00Z"


def test_a_plus_offset_left_raw_in_the_query_string_is_refused_not_misread(client, zone):
    response = client.get(f"{QUOTE}?starts_at=2027-03-02T10:00:00+01:00&duration_minutes=30")

    assert "starts_at" in assert_error(response, 422, "validation_error")["errors"]


def test_a_resident_profile_is_quoted_with_its_own_points(client, zone):
    response = _quote(client, starts_at=TUESDAY_10, duration_minutes=600, profile="resident")

    quote = response.get_json()
    assert (quote["chargeable_minutes"], quote["amount_cents"]) == (540, 135)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"starts_at": "2027-03-02T10:00:00", "duration_minutes": 30}, "starts_at"),
        ({"starts_at": TUESDAY_10, "ends_at": "2027-03-02T11:00:00"}, "ends_at"),
        ({"starts_at": TUESDAY_10, "ends_at": "2027-03-02T08:00:00+01:00"}, "ends_at"),
        ({"starts_at": TUESDAY_10, "ends_at": TUESDAY_10}, "ends_at"),
        ({"starts_at": TUESDAY_10, "ends_at": "2027-03-10T10:00:00+01:00"}, "ends_at"),
        ({"starts_at": TUESDAY_10, "duration_minutes": 0}, "duration_minutes"),
        ({"starts_at": TUESDAY_10, "duration_minutes": 365 * 24 * 60}, "duration_minutes"),
        ({"starts_at": TUESDAY_10, "duration_minutes": "half an hour"}, "duration_minutes"),
        ({"starts_at": TUESDAY_10, "amount_cents": 0}, "amount_cents"),
        ({"starts_at": TUESDAY_10}, "duration_minutes"),
        ({"starts_at": TUESDAY_10, "duration_minutes": 30, "amount_cents": 500}, "amount_cents"),
        ({"duration_minutes": 30, "profile": ""}, "profile"),
    ],
)
def test_bad_quote_input_is_422_on_its_field(client, zone, query, field):
    response = _quote(client, **query)

    assert field in assert_error(response, 422, "validation_error")["errors"]


def test_an_end_before_now_is_refused_when_the_start_defaults_to_now(client, zone):
    with time_machine.travel("2027-03-02T09:00:00Z", tick=False):
        response = _quote(client, ends_at="2027-03-02T08:00:00Z")

    assert "ends_at" in assert_error(response, 422, "validation_error")["errors"]


@pytest.mark.parametrize(
    ("query", "reason", "field"),
    [
        ({"duration_minutes": 150}, "exceeds_max_stay", "duration_minutes"),
        ({"ends_at": "2027-03-02T12:30:00+01:00"}, "exceeds_max_stay", "ends_at"),
        ({"duration_minutes": 30, "profile": "vip"}, "unknown_profile", "profile"),
        ({"amount_cents": 1}, "amount_too_low", "amount_cents"),
    ],
)
def test_what_the_tariff_refuses_is_422_with_its_reason(client, zone, query, reason, field):
    response = _quote(client, starts_at=TUESDAY_10, **query)

    assert field in assert_error(response, 422, reason)["errors"]


def test_a_zone_that_does_not_exist_is_404(client):
    response = _quote(client, duration_minutes=30)

    assert_error(response, 404, "zone_not_found")


def test_a_zone_without_a_tariff_in_force_is_409(client, make_zone):
    make_zone("ISSY-1", rules=EXAMPLE_RULES, effective_from="2027-06-01T00:00:00+02:00")

    response = _quote(client, starts_at=TUESDAY_10, duration_minutes=30)

    assert_error(response, 409, "no_tariff_in_force")


def test_an_inactive_zone_is_not_quoted(client, make_zone):
    make_zone("ISSY-1", active=False)

    response = _quote(client, starts_at=TUESDAY_10, duration_minutes=30)

    assert_error(response, 409, "zone_inactive")
