"""Who may look plates up, and how often: officers and devices, rate limited per caller."""

from __future__ import annotations

import pytest

from tests.test_errors import assert_error

CHECK = "/api/v1/enforcement/check"
RIGHTS = "/api/v1/enforcement/rights"
QUERY = {"plate": "AB-123-CD", "zone": "ISSY-1"}


@pytest.mark.parametrize("role", ["officer", "device"])
def test_officers_and_devices_may_check_plates_and_sync_rights(client, zone, headers_for, role):
    headers = headers_for(role)

    single = client.get(CHECK, query_string=QUERY, headers=headers)
    bulk = client.post(CHECK, json={"zone": "ISSY-1", "plates": ["AB123CD"]}, headers=headers)
    rights = client.get(RIGHTS, query_string={"zone": "ISSY-1"}, headers=headers)

    assert [single.status_code, bulk.status_code, rights.status_code] == [200, 200, 200]


@pytest.mark.parametrize("role", ["driver", "finance", "admin"])
def test_other_roles_are_refused(client, zone, headers_for, role):
    headers = headers_for(role)

    single = client.get(CHECK, query_string=QUERY, headers=headers)
    bulk = client.post(CHECK, json={"zone": "ISSY-1", "plates": ["AB123CD"]}, headers=headers)
    rights = client.get(RIGHTS, query_string={"zone": "ISSY-1"}, headers=headers)

    for response in (single, bulk, rights):
        assert_error(response, 403, "role_not_allowed")


def test_without_credentials_a_check_is_401(client, zone):
    assert_error(client.get(CHECK, query_string=QUERY), 401, "authentication_required")


def test_a_revoked_device_key_is_401(client, zone, make_device, headers_for):
    device, headers = make_device()
    admin = headers_for("admin")
    client.delete(f"/api/v1/admin/devices/{device.id}", headers=admin)

    response = client.get(CHECK, query_string=QUERY, headers=headers)

    assert_error(response, 401, "invalid_api_key")


def test_lookups_beyond_the_rate_limit_are_429_with_retry_after(
    client, zone, make_device, lookup_limit
):
    lookup_limit("3 per minute")
    headers = make_device()[1]
    answers = [client.get(CHECK, query_string=QUERY, headers=headers) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    body = assert_error(answers[-1], 429, "rate_limited")
    assert body["message"]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60


def test_a_bulk_check_costs_one_lookup_per_plate(client, zone, make_device, lookup_limit):
    lookup_limit("10 per minute")
    headers = make_device()[1]

    nine = client.post(CHECK, json={"zone": "ISSY-1", "plates": ["AB123CD"] * 9}, headers=headers)
    single = client.get(CHECK, query_string=QUERY, headers=headers)
    two = client.post(CHECK, json={"zone": "ISSY-1", "plates": ["AB123CD"] * 2}, headers=headers)

    assert [nine.status_code, single.status_code, two.status_code] == [200, 200, 429]


def test_the_rate_limit_counts_each_caller_apart(client, zone, make_device, lookup_limit):
    lookup_limit("1 per minute")
    first, second = make_device("car-1")[1], make_device("car-2")[1]

    answers = [
        client.get(CHECK, query_string=QUERY, headers=headers) for headers in (first, second, first)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
