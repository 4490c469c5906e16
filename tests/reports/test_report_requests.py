"""What a report request may ask, and who may ask it."""

from __future__ import annotations

import pytest

from tests.test_errors import assert_error

REPORTS = ("payments.csv", "sessions.csv", "revenue.csv")
MARCH = {"from": "2027-03-01", "to": "2027-04-01"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2027-13-01", "to": "2027-04-01"}, "from"),
        ({"from": "01/03/2027", "to": "2027-04-01"}, "from"),
        ({"from": "2027-03-01T00:00:00+01:00", "to": "2027-04-01"}, "from"),
        ({"to": "2027-04-01"}, "from"),
        ({"from": "2027-03-01", "to": "tomorrow"}, "to"),
        ({"from": "2027-04-01", "to": "2027-03-01"}, "to"),
        ({"from": "2027-03-01", "to": "2027-03-01"}, "to"),
        ({"from": "1999-12-31", "to": "2000-01-02"}, "from"),
    ],
)
@pytest.mark.parametrize("report", REPORTS)
def test_bad_dates_are_422_naming_the_field(get_report, report, params, field):
    response = get_report(report, **params)

    body = assert_error(response, 422, "validation_error")
    assert field in body["errors"]


def test_an_unknown_grouping_is_422(get_report):
    response = get_report("revenue.csv", group_by="week", **MARCH)

    body = assert_error(response, 422, "validation_error")
    assert "group_by" in body["errors"]


@pytest.mark.parametrize("report", REPORTS)
def test_an_unknown_zone_is_404(get_report, report):
    response = get_report(report, zone="NOWHERE", **MARCH)

    assert_error(response, 404, "zone_not_found")


@pytest.mark.parametrize("report", REPORTS)
def test_more_than_92_days_in_one_request_points_to_export_jobs(get_report, report):
    response = get_report(report, **{"from": "2027-01-01", "to": "2027-04-04"})

    body = assert_error(response, 422, "range_too_large")
    assert "POST /api/v1/reports/exports" in body["message"]
    assert "to" in body["errors"]


def test_92_days_is_one_request(clock, get_report):
    response = get_report("payments.csv", **{"from": "2027-01-01", "to": "2027-04-03"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "code", "reason"),
    [
        ("driver", 403, "role_not_allowed"),
        ("officer", 403, "role_not_allowed"),
        ("device", 403, "role_not_allowed"),
        (None, 401, "authentication_required"),
    ],
)
@pytest.mark.parametrize("report", REPORTS)
def test_only_finance_and_admins_read_reports(client, headers_for, report, role, code, reason):
    response = client.get(
        f"/api/v1/reports/{report}", query_string=MARCH, headers=headers_for(role)
    )

    assert_error(response, code, reason)


def test_an_admin_reads_reports(client, headers_for):
    response = client.get(
        "/api/v1/reports/payments.csv", query_string=MARCH, headers=headers_for("admin")
    )

    assert response.status_code == 200
    assert response.data.endswith(b"# end of report: 0 rows\r\n")


def test_the_openapi_document_explains_how_to_check_a_download(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    operation = spec["paths"]["/api/v1/reports/payments.csv"]["get"]
    assert "# end of report: N rows" in operation["responses"]["200"]["description"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "from",
        "to",
        "zone",
        "excel",
    }
