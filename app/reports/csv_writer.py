"""CSV that spreadsheets open safely and that shows when it is incomplete.

- RFC 4180 through the csv module (quoting, CRLF), UTF-8, a header row.
- Cells are typed by the report that writes them: numbers come from integers and stay numbers
  (a refund of -4.36 is a number, never text); text cells that a spreadsheet would run as a
  formula (starting with = + - @ tab or CR) get a leading apostrophe (OWASP "CSV injection").
- Excel in France (`excel=True`): `;` between cells, a decimal comma in money columns, and a
  UTF-8 byte-order mark so accents survive.
- The last line is `# end of report: N rows`. A download cut short by the network, a proxy or a
  crash has no such line; a stream stopped on purpose ends with a line that says why.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
TRAILER = "# end of report: {rows} rows"
TRUNCATED = (
    "# report truncated after {rows} rows: more rows match; "
    "ask for an export job (POST /api/v1/reports/exports)"
)
FAILED = "# report failed after {rows} rows: this file is incomplete"
BYTE_ORDER_MARK = "\ufeff"
# Rows per chunk sent (and per progress tick): large enough to keep the per-chunk cost low,
# small enough that memory stays flat whatever the report's length.
CHUNK_ROWS = 1000
# ISO 4217 currencies whose minor unit is not the cent (the rest have 2 decimals).
MINOR_DIGITS = {"BIF": 0, "CLP": 0, "JPY": 0, "KRW": 0, "XAF": 0, "XOF": 0, "BHD": 3, "KWD": 3}


def text(value: str | None) -> str:
    """A text cell, neutralised if a spreadsheet would read it as a formula."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def integer(value: int | None) -> str:
    return "" if value is None else str(int(value))


def utc_instant(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local_instant(value: datetime | None) -> str:
    """An aware local time with its offset (`2027-03-28T03:10:00+02:00`)."""
    return "" if value is None else value.isoformat()


def day(value: date) -> str:
    return value.isoformat()


def boolean(value: bool) -> str:
    return "true" if value else "false"


def money(cents: int, currency: str, decimal_mark: str = ".") -> str:
    """Minor units as a decimal number of major units, from integers only (-436 -> -4.36)."""
    digits = MINOR_DIGITS.get(currency.upper(), 2)
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(int(cents)), 10**digits)
    if not digits:
        return f"{sign}{whole}"
    return f"{sign}{whole}{decimal_mark}{fraction:0{digits}d}"


class CsvStream:
    """Rows (lists of cells already formatted) to CSV bytes, chunk by chunk.

    Iterate it once; `rows` is the count of data rows written so far and `complete` tells
    whether the trailer was written.
    """

    def __init__(
        self,
        header: Sequence[str],
        rows: Iterable[list[str]],
        *,
        excel: bool = False,
        row_limit: int | None = None,
        on_rows: Callable[[int], None] | None = None,
    ) -> None:
        self.header, self.excel = header, excel
        self._rows, self._row_limit, self._on_rows = rows, row_limit, on_rows
        self.rows = 0
        self.complete = False

    def __iter__(self) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";" if self.excel else ",", lineterminator="\r\n")
        if self.excel:
            buffer.write(BYTE_ORDER_MARK)
        writer.writerow(self.header)
        try:
            yield from self._body(writer, buffer)
        except GeneratorExit:  # the client went away: nothing more to say
            raise
        except BaseException:
            writer.writerow([FAILED.format(rows=self.rows)])
            yield _drain(buffer)
            raise
        yield _drain(buffer)

    def _body(self, writer: Any, buffer: io.StringIO) -> Iterator[bytes]:
        pending = 0
        for row in self._rows:
            if self._row_limit is not None and self.rows >= self._row_limit:
                writer.writerow([TRUNCATED.format(rows=self.rows)])
                self._tick(pending)
                return
            writer.writerow(row)
            self.rows += 1
            pending += 1
            if pending == CHUNK_ROWS:
                yield _drain(buffer)
                self._tick(pending)
                pending = 0
        writer.writerow([TRAILER.format(rows=self.rows)])
        self.complete = True
        self._tick(pending)

    def _tick(self, rows: int) -> None:
        if self._on_rows is not None and rows:
            self._on_rows(rows)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
