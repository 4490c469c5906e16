from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.fields import Instant
from app.reports.models import EXPORT_STATUSES, GROUPINGS, REPORTS


def _date(name: str, description: str) -> fields.Date:
    return fields.Date(
        required=True,
        data_key=name,
        metadata={"description": description, "example": "2027-03-01"},
    )


class ReportArgsSchema(Schema):
    from_date = _date("from", "First local day, inclusive (YYYY-MM-DD, the city's time zone).")
    to_date = _date("to", "The day after the last one, exclusive (YYYY-MM-DD).")
    zone = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "Only this zone (its code); unknown: 404 zone_not_found."},
    )
    excel = fields.Boolean(
        load_default=False,
        metadata={"description": "For French Excel: `;` separator, decimal comma, UTF-8 BOM."},
    )


class RevenueArgsSchema(ReportArgsSchema):
    group_by = fields.String(
        load_default="day",
        validate=validate.OneOf(GROUPINGS),
        metadata={"description": "One row per local day, per zone, or per zone and tariff."},
    )


class ExportRequestSchema(ReportArgsSchema):
    report = fields.String(required=True, validate=validate.OneOf(REPORTS))
    group_by = fields.String(
        load_default=None,
        validate=validate.OneOf(GROUPINGS),
        metadata={"description": "Revenue only (default `day`)."},
    )


class ExportSchema(Schema):
    id = fields.String()
    report = fields.String(metadata={"enum": list(REPORTS)})
    from_date = fields.Date(data_key="from")
    to_date = fields.Date(data_key="to")
    zone = fields.String(allow_none=True)
    group_by = fields.String(allow_none=True)
    excel = fields.Boolean()
    status = fields.String(metadata={"enum": list(EXPORT_STATUSES)})
    row_count = fields.Integer(allow_none=True, metadata={"description": "Data rows, when done."})
    sha256 = fields.String(
        allow_none=True, metadata={"description": "SHA-256 (hex) of the file, when done."}
    )
    url = fields.String(metadata={"description": "This export's status."})
    download_url = fields.String(
        allow_none=True,
        metadata={"description": "When done, while the file is kept (EXPORT_RETENTION_DAYS)."},
    )
    error = fields.String(allow_none=True)
    created_at = Instant()
    finished_at = Instant(allow_none=True)
