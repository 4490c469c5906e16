"""CSV that spreadsheets open safely: neutralised formulas, typed numbers, Excel's French
dialect, file names, and a last line that proves the download is complete."""

from __future__ import annotations

import pytest

from app.db import db
from app.reports.csv_writer import CsvStream, money, text
from tests.reports.conftest import read_csv
from tests.support.sessions import paris

MARCH = {"from": "2027-03-01", "to": "2027-04-01"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("ISSY-1", "ISSY-1"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_neutralised(value, cell):
    assert text(value) == cell


@pytest.mark.parametrize(
    ("cents", "currency", "mark", "amount"),
    [
        (-436, "EUR", ".", "-4.36"),
        (-5, "EUR", ".", "-0.05"),
        (0, "EUR", ".", "0.00"),
        (123456, "EUR", ",", "1234,56"),
        (500, "JPY", ".", "500"),
        (1234, "KWD", ".", "1.234"),
    ],
)
def test_money_is_written_from_integers(cents, currency, mark, amount):
    assert money(cents, currency, mark) == amount


@pytest.fixture
def refunded_session(clock, zone, start, client, auth) -> str:
    """TARIFFS.md's case 10: 600 paid, stopped after 41 minutes, 436 refunded."""
    session_id = start(duration_minutes=120).get_json()["session"]["id"]
    clock.move_to(paris(2027, 3, 2, 10, 40, 30))
    client.post(f"/api/v1/sessions/{session_id}/stop", headers=auth())
    return session_id


def test_a_zone_named_like_a_formula_is_neutralised_and_amounts_stay_numbers(
    clock, start, client, auth, get_report, make_zone
):
    zone = make_zone("FORMULA")
    # The API refuses such codes; data imported around it must still not run in a spreadsheet.
    zone.code = "=1+2"
    zone.name = "-2+3 @SUM(A1)"
    db.session.commit()
    session_id = start(zone_code="=1+2", duration_minutes=120).get_json()["session"]["id"]
    clock.move_to(paris(2027, 3, 2, 10, 40, 30))
    client.post(f"/api/v1/sessions/{session_id}/stop", headers=auth())

    payments = get_report("payments.csv", zone="=1+2", **MARCH)
    revenue = get_report("revenue.csv", group_by="zone", **MARCH)

    charge, refund = read_csv(payments.data).rows
    (by_zone,) = read_csv(revenue.data).rows
    assert charge["zone_code"] == refund["zone_code"] == "'=1+2"
    assert (refund["amount_cents"], refund["amount"]) == ("-436", "-4.36")
    assert (by_zone["zone_code"], by_zone["zone_name"]) == ("'=1+2", "'-2+3 @SUM(A1)")
    assert by_zone["refunds_cents"] == "-436"
    assert (
        'filename="payments_2027-03-01_2027-04-01__1_2.csv"'
        in payments.headers["Content-Disposition"]
    )


def test_a_report_is_csv_with_a_header_row_and_a_file_name(refunded_session, get_report):
    response = get_report("payments.csv", zone="ISSY-1", **MARCH)

    report = read_csv(response.data)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="payments_2027-03-01_2027-04-01_ISSY-1.csv"'
    )
    assert report.header[:4] == ["occurred_at_utc", "occurred_at_local", "local_date", "kind"]
    assert [row["kind"] for row in report.rows] == ["charge", "refund"]
    assert response.data.endswith(b"\r\n")


def test_sessions_report_has_no_plate(refunded_session, get_report):
    response = get_report("sessions.csv", **MARCH)

    report = read_csv(response.data)
    assert "plate" not in report.header
    assert b"AB123CD" not in response.data
    assert [(row["session_id"], row["net_cents"]) for row in report.rows] == [
        (refunded_session, "164")
    ]


def test_excel_gets_semicolons_decimal_commas_and_a_byte_order_mark(refunded_session, get_report):
    response = get_report("payments.csv", excel=1, **MARCH)

    report = read_csv(response.data, excel=True)
    assert response.data.startswith(b"\xef\xbb\xbfoccurred_at_utc;occurred_at_local;")
    assert [row["amount"] for row in report.rows] == ["6,00", "-4,36"]
    assert [row["amount_cents"] for row in report.rows] == ["600", "-436"]
    assert report.trailer == "# end of report: 2 rows"


def test_a_report_is_streamed_and_ends_with_its_row_count(refunded_session, client, finance):
    response = client.get("/api/v1/reports/sessions.csv", query_string=MARCH, headers=finance())

    streamed = response.is_streamed
    assert streamed
    assert read_csv(response.data).trailer == "# end of report: 1 rows"


def test_an_empty_period_has_a_header_and_a_trailer(clock, get_report):
    response = get_report("payments.csv", **{"from": "2026-01-01", "to": "2026-01-02"})

    report = read_csv(response.data)
    assert report.rows == []
    assert report.trailer == "# end of report: 0 rows"


def test_a_request_stops_at_its_row_limit_with_a_line_saying_so(
    app, refunded_session, get_report, monkeypatch
):
    monkeypatch.setitem(app.config, "REPORTS_INLINE_ROW_LIMIT", 1)

    response = get_report("payments.csv", **MARCH)

    report = read_csv(response.data)
    assert len(report.rows) == 1
    assert report.trailer.startswith("# report truncated after 1 rows")
    assert "POST /api/v1/reports/exports" in report.trailer


def test_a_stream_that_fails_midway_says_it_is_incomplete():
    def rows():
        yield ["1"]
        raise RuntimeError("connection to the database lost")

    chunks: list[bytes] = []
    with pytest.raises(RuntimeError):
        chunks.extend(CsvStream(["n"], rows()))

    body = b"".join(chunks).decode()
    assert body.splitlines() == ["n", "1", "# report failed after 1 rows: this file is incomplete"]
