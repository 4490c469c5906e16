"""`flask reports export` writes what the HTTP endpoints stream, byte for byte."""

from __future__ import annotations

import pytest

from tests.support.sessions import paris

MARCH = {"from": "2027-03-01", "to": "2027-04-01"}


@pytest.fixture
def sold(clock, zone, start, client, auth) -> None:
    session_id = start(duration_minutes=120).get_json()["session"]["id"]
    clock.move_to(paris(2027, 3, 2, 10, 40, 30))
    client.post(f"/api/v1/sessions/{session_id}/stop", headers=auth())


def export(app, *args: str):
    dates = ["--from", MARCH["from"], "--to", MARCH["to"]]
    return app.test_cli_runner().invoke(args=["reports", "export", *args, *dates])


@pytest.mark.parametrize(
    ("report", "options", "params"),
    [
        ("payments", [], {}),
        ("payments", ["--excel", "--zone", "ISSY-1"], {"excel": 1, "zone": "ISSY-1"}),
        ("sessions", [], {}),
        ("revenue", ["--group-by", "tariff"], {"group_by": "tariff"}),
    ],
)
def test_the_cli_writes_the_same_bytes_as_the_http_export(
    app, sold, get_report, tmp_path, report, options, params
):
    output = tmp_path / "report.csv"

    result = export(app, report, "-o", str(output), *options)

    assert result.exit_code == 0, result.output
    assert output.read_bytes() == get_report(f"{report}.csv", **params, **MARCH).data


def test_the_cli_shows_progress_and_what_it_wrote(app, sold, tmp_path):
    output = tmp_path / "march.csv"

    result = export(app, "payments", "-o", str(output))

    assert "payments_2027-03-01_2027-04-01.csv" in result.stderr  # the progress bar's label
    assert f"wrote 2 rows to {output}" in result.stdout


def test_the_cli_exports_periods_longer_than_a_request(app, sold, tmp_path):
    output = tmp_path / "year.csv"

    result = app.test_cli_runner().invoke(
        args=[
            "reports",
            "export",
            "payments",
            "--from",
            "2027-01-01",
            "--to",
            "2028-01-01",
            "-o",
            str(output),
        ]
    )

    assert result.exit_code == 0, result.output
    assert output.read_bytes().endswith(b"# end of report: 2 rows\r\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["payments", "--from", "2027-04-01", "--to", "2027-03-01"], "Must be after"),
        (["payments", "--from", "1/3/2027", "--to", "2027-04-01"], "YYYY-MM-DD"),
        (
            ["payments", "--from", "2027-03-01", "--to", "2027-04-01", "--zone", "NOWHERE"],
            "No zone",
        ),
        (["weekly", "--from", "2027-03-01", "--to", "2027-04-01"], "weekly"),
    ],
)
def test_the_cli_refuses_what_the_api_refuses(app, tmp_path, args, message):
    output = tmp_path / "never.csv"

    result = app.test_cli_runner().invoke(args=["reports", "export", *args, "-o", str(output)])

    assert result.exit_code != 0
    assert message in result.output
    assert not output.exists()
