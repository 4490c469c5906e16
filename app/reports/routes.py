"""Finance reports (finance and admin): CSV streamed as it is read, and export jobs."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from flask import Response, send_file, stream_with_context, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.accounts.guard import allow, current_principal
from app.db import db
from app.idempotency import idempotent
from app.pagination import Page, PageArgsSchema, page_schema, paginate
from app.reports import exports, services
from app.reports.models import ReportExport
from app.reports.schemas import (
    ExportRequestSchema,
    ExportSchema,
    ReportArgsSchema,
    RevenueArgsSchema,
)
from app.reports.spec import ReportSpec

FINANCE = ("finance", "admin")
CSV = "text/csv; charset=utf-8"
COMPLETENESS = (
    "The body is CSV (RFC 4180, UTF-8) with a header row, streamed as it is read. Its last line "
    "is `# end of report: N rows`, N being the data rows above it: a file without that line "
    "is incomplete (a connection cut, a crash). A request stops after "
    f"{services.INLINE_ROW_LIMIT:,} rows with a last line `# report truncated after N rows` "
    f"instead, and covers at most {services.MAX_INLINE_DAYS} days (422 `range_too_large`): "
    "use POST /reports/exports for more."
)

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Finance reports that reconcile to the cent with Stripe. " + COMPLETENESS,
)


def csv_response(spec: ReportSpec) -> Response:
    stream = services.open_report(spec, row_limit=services.inline_row_limit())
    response = Response(stream_with_context(iter(stream)), content_type=CSV)
    response.headers["Content-Disposition"] = f'attachment; filename="{spec.file_name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/payments.csv")
class PaymentsReport(MethodView):
    @allow(*FINANCE)
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, content_type="text/csv", description=COMPLETENESS)
    @blp.alt_response(404, description="zone_not_found")
    def get(self, args: dict[str, Any]) -> Response:
        """One row per money movement (charge, capture, refund, dispute), by local day.

        Refunds and disputes are negative; `amount` is `amount_cents` in euros. The Stripe ids
        reconcile each row with Stripe's own reports.
        """
        return csv_response(services.report_spec("payments", **args))


@blp.route("/sessions.csv")
class SessionsReport(MethodView):
    @allow(*FINANCE)
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, content_type="text/csv", description=COMPLETENESS)
    @blp.alt_response(404, description="zone_not_found")
    def get(self, args: dict[str, Any]) -> Response:
        """One row per session, by the local day it started, with the money it moved so far.

        No plate: finance reconciles money, it does not need to know who parked.
        """
        return csv_response(services.report_spec("sessions", **args))


@blp.route("/revenue.csv")
class RevenueReport(MethodView):
    @allow(*FINANCE)
    @blp.arguments(RevenueArgsSchema, location="query")
    @blp.response(200, content_type="text/csv", description=COMPLETENESS)
    @blp.alt_response(404, description="zone_not_found")
    def get(self, args: dict[str, Any]) -> Response:
        """Gross, refunds, disputes, net and sessions per local day, per zone or per tariff.

        `net_cents` is the sum of every movement of the group, so the net of any grouping adds
        up to the amounts of payments.csv for the same period.
        """
        return csv_response(services.report_spec("revenue", **args))


def export_view(export: ReportExport) -> dict[str, Any]:
    # A done export's file is kept EXPORT_RETENTION_DAYS; after that only its record remains.
    downloadable = export.status == "done" and export.file_name is not None
    return {
        "id": str(export.id),
        "report": export.report,
        "from_date": export.from_date,
        "to_date": export.to_date,
        "zone": exports.spec_of(export).zone_code,
        "group_by": export.group_by,
        "excel": export.excel,
        "status": export.status,
        "row_count": export.row_count,
        "sha256": export.sha256,
        "url": url_for("reports.ExportItem", export_id=export.id),
        "download_url": url_for("reports.ExportDownload", export_id=export.id)
        if downloadable
        else None,
        "error": export.error,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
    }


@blp.route("/exports")
class Exports(MethodView):
    @allow(*FINANCE)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_schema(ExportSchema))
    def get(self, page: dict[str, Any]) -> Page:
        """Export jobs, newest first."""
        found = paginate(
            db.select(ReportExport),
            (ReportExport.created_at, ReportExport.id),
            descending=True,
            **page,
        )
        return Page([export_view(export) for export in found.items], found.next_cursor)

    @allow(*FINANCE)
    @idempotent
    @blp.arguments(ExportRequestSchema)
    @blp.response(202, ExportSchema)
    @blp.alt_response(404, description="zone_not_found")
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Ask for a report of any length as a file, written by the `reports work` job.

        Read the export's `url` until its `status` is `done`, then fetch `download_url`:
        the file has `row_count` data rows and the given `sha256`, and the same bytes as the
        CSV endpoints would stream (trailer included).
        """
        report = data.pop("report")
        spec = services.report_spec(report, **data, max_days=services.MAX_EXPORT_DAYS)
        export = exports.request_export(current_principal().id, spec)
        db.session.commit()
        view = export_view(export)
        return view, 202, {"Location": view["url"]}


@blp.route("/exports/<uuid:export_id>")
class ExportItem(MethodView):
    @allow(*FINANCE)
    @blp.response(200, ExportSchema)
    def get(self, export_id: uuid.UUID) -> dict[str, Any]:
        """An export's status: `queued`, `running`, `done` (with the download URL) or `failed`."""
        return export_view(exports.get_export(export_id))


@blp.route("/exports/<uuid:export_id>/download")
class ExportDownload(MethodView):
    @allow(*FINANCE)
    @blp.response(200, content_type="text/csv")
    @blp.alt_response(409, description="export_not_ready")
    def get(self, export_id: uuid.UUID) -> Response:
        """The file of a done export; `Repr-Digest` carries its SHA-256."""
        export = exports.get_export(export_id)
        path = exports.finished_file(export)
        response = send_file(
            path,
            mimetype=CSV,
            as_attachment=True,
            download_name=exports.spec_of(export).file_name,
            max_age=0,
        )
        digest = base64.b64encode(bytes.fromhex(export.sha256 or "")).decode()
        response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
        response.headers["Cache-Control"] = "no-store"
        return response
