"""Permits: granted and revoked by admins, read by officers, and the checks other packages call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from app.db import db
from app.plates import Plate
from tests.test_errors import assert_error
from zones.models import Permit
from zones.permits import EXEMPT_UNTIL, create_permit, has_profile_permit

PERMITS = "/api/v1/permits"
FROM = datetime(2027, 1, 1, tzinfo=UTC)
UNTIL = datetime(2027, 2, 1, tzinfo=UTC)


@pytest.fixture
def admin(headers_for):
    return headers_for("admin")


@pytest.fixture
def zones(make_zone):
    return make_zone("ISSY-1", rules=None), make_zone("ISSY-2", rules=None)


def _body(**changes):
    return {
        "plate": "ab-123-cd",
        "kind": "resident",
        "zone_codes": ["ISSY-1"],
        "valid_from": "2027-01-01T00:00:00+01:00",
        "valid_until": "2027-02-01T00:00:00+01:00",
    } | changes


def _permit(plate="AB-123-CD", kind="resident", zone_codes=("ISSY-1",), since=FROM, until=UNTIL):
    permit = create_permit(Plate.parse(plate), kind, zone_codes, since, until)
    db.session.commit()
    return permit


def _permit_count() -> int:
    return db.session.scalar(select(func.count(Permit.id)))


def test_admin_grants_a_permit_answered_with_the_normalised_plate(client, admin, zones):
    response = client.post(PERMITS, json=_body(zone_codes=["issy-2", "ISSY-1"]), headers=admin)

    assert response.status_code == 201, response.get_json()
    permit = response.get_json()
    assert {key: permit[key] for key in ("plate", "kind", "zone_codes", "revoked")} == {
        "plate": "AB123CD",
        "kind": "resident",
        "zone_codes": ["ISSY-1", "ISSY-2"],
        "revoked": False,
    }
    assert (permit["valid_from"], permit["valid_until"]) == (
        "2026-12-31T23:00:00Z",
        "2027-01-31T23:00:00Z",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"plate": "!!"}, "plate"),
        ({"kind": "vip"}, "kind"),
        ({"zone_codes": []}, "zone_codes"),
        ({"valid_from": "2027-01-01T00:00:00"}, "valid_from"),
        ({"valid_until": "2026-12-01T00:00:00Z"}, "valid_until"),
        ({"valid_until": "2027-01-01T00:00:00+01:00"}, "valid_until"),
    ],
)
def test_a_bad_permit_is_422_on_its_field_and_changes_nothing(client, admin, zones, changes, field):
    response = client.post(PERMITS, json=_body(**changes), headers=admin)

    assert field in assert_error(response, 422, "validation_error")["errors"]
    assert _permit_count() == 0


def test_a_permit_in_a_zone_that_does_not_exist_is_refused(client, admin, zones):
    response = client.post(PERMITS, json=_body(zone_codes=["ISSY-1", "NOPE"]), headers=admin)

    body = assert_error(response, 404, "zone_not_found")
    assert body["errors"] == {"zone_codes": ["No zone has the code NOPE."]}
    assert _permit_count() == 0


def test_officers_list_permits_newest_first_filtered_by_plate_in_any_spelling(
    client, headers_for, zones
):
    _permit("AB-123-CD")
    _permit("EF-456-GH")
    latest = _permit("AB 123 CD", kind="business")

    response = client.get(f"{PERMITS}?plate=ab123cd", headers=headers_for("officer"))

    items = response.get_json()["items"]
    assert [item["kind"] for item in items] == ["business", "resident"]
    assert items[0]["id"] == str(latest.id)


def test_permits_are_filtered_by_zone(client, admin, zones):
    _permit("AB-123-CD", zone_codes=("ISSY-1",))
    _permit("EF-456-GH", zone_codes=("ISSY-1", "ISSY-2"))

    response = client.get(f"{PERMITS}?zone=ISSY-2", headers=admin)

    assert [item["plate"] for item in response.get_json()["items"]] == ["EF456GH"]


def test_filtering_by_a_zone_that_does_not_exist_is_404(client, admin):
    response = client.get(f"{PERMITS}?zone=NOPE", headers=admin)

    assert_error(response, 404, "zone_not_found")


def test_the_permit_list_is_paged(client, admin, zones):
    for plate in ("AA-111-AA", "BB-222-BB", "CC-333-CC"):
        _permit(plate)

    first = client.get(f"{PERMITS}?limit=2", headers=admin).get_json()
    rest = client.get(f"{PERMITS}?limit=2&cursor={first['next_cursor']}", headers=admin).get_json()

    plates = [item["plate"] for item in first["items"] + rest["items"]]
    assert sorted(plates) == ["AA111AA", "BB222BB", "CC333CC"]
    assert rest["next_cursor"] is None


def test_deleting_a_permit_revokes_it_and_keeps_it_listed(client, admin, zones):
    permit = _permit()

    response = client.delete(f"{PERMITS}/{permit.id}", headers=admin)
    again = client.delete(f"{PERMITS}/{permit.id}", headers=admin)

    assert response.get_json()["revoked"] is True
    assert again.get_json()["revoked_at"] == response.get_json()["revoked_at"]
    listed = client.get(PERMITS, headers=admin).get_json()["items"]
    assert [(item["id"], item["revoked"]) for item in listed] == [(str(permit.id), True)]


def test_deleting_an_unknown_permit_is_404(client, admin):
    response = client.delete(f"{PERMITS}/00000000-0000-4000-8000-000000000000", headers=admin)

    assert_error(response, 404, "permit_not_found")


@pytest.mark.parametrize(
    ("plate", "profile", "at", "allowed"),
    [
        ("AB-123-CD", "resident", FROM, True),
        ("ab 123 cd", "resident", UNTIL - timedelta(microseconds=1), True),
        ("AB123CD", "resident", UNTIL, False),  # valid_until is exclusive
        ("AB123CD", "resident", FROM - timedelta(microseconds=1), False),
        ("AB123CD", "business", FROM, False),
        ("AB123CD", "visitor", FROM, False),
        ("EF456GH", "resident", FROM, False),
        ("!!", "resident", FROM, False),
    ],
)
def test_a_profile_is_open_only_to_a_valid_permit_of_its_kind(zones, plate, profile, at, allowed):
    _permit("AB-123-CD", kind="resident")

    assert has_profile_permit(plate, zones[0].id, profile, at) is allowed


def test_a_profile_permit_counts_only_in_its_zones_and_until_revoked(client, admin, zones):
    permit = _permit("AB-123-CD", kind="resident", zone_codes=("ISSY-1",))

    in_other_zone = has_profile_permit("AB123CD", zones[1].id, "resident", FROM)
    client.delete(f"{PERMITS}/{permit.id}", headers=admin)

    assert in_other_zone is False
    assert has_profile_permit("AB123CD", zones[0].id, "resident", FROM) is False


def test_exempting_permits_are_found_for_many_plates_in_one_query(zones):
    _permit("AA-111-AA", kind="disabled")
    _permit("BB-222-BB", kind="exempt", until=UNTIL + timedelta(days=30))
    _permit("BB-222-BB", kind="exempt")
    _permit("CC-333-CC", kind="resident")  # opens a profile, exempts nothing
    _permit("DD-444-DD", kind="disabled", zone_codes=("ISSY-2",))
    plates = ["AA111AA", "BB222BB", "CC333CC", "DD444DD", *[f"ZZ{n:03d}ZZ" for n in range(496)]]
    zone_id, statements = zones[0].id, []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    at = FROM + timedelta(days=3)
    found = dict(
        db.session.execute(EXEMPT_UNTIL, {"plates": plates, "zone_id": zone_id, "at": at}).all()
    )
    event.remove(db.engine, "before_cursor_execute", record)

    assert found == {"AA111AA": UNTIL, "BB222BB": UNTIL + timedelta(days=30)}
    assert len(statements) == 1
