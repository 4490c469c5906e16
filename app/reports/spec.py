"""What one report is: its kind, local dates, zone, grouping and format."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from app.reports.days import LocalDay, local_days, local_midnight
from app.reports.queries import Scope

_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9-]")


@dataclass(frozen=True)
class ReportSpec:
    report: str  # payments, sessions or revenue
    from_date: date  # first local day, inclusive
    to_date: date  # local day after the last, exclusive
    timezone: str  # the city's IANA zone: what "a day" means
    zone_id: uuid.UUID | None = None
    zone_code: str | None = None
    group_by: str | None = None  # revenue only: day, zone or tariff
    excel: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def scope(self) -> Scope:
        tz = self.tz
        starts_at, ends_at = local_midnight(self.from_date, tz), local_midnight(self.to_date, tz)
        return Scope(starts_at, ends_at, self.zone_id)

    @property
    def days(self) -> list[LocalDay]:
        return local_days(self.from_date, self.to_date, self.tz)

    @property
    def file_name(self) -> str:
        """`payments_2027-03-01_2027-04-01_ISSY-1.csv`, `revenue-by-day_...`."""
        name = self.report if self.group_by is None else f"{self.report}-by-{self.group_by}"
        parts = [name, self.from_date.isoformat(), self.to_date.isoformat()]
        if self.zone_code:
            parts.append(_UNSAFE_IN_FILE_NAME.sub("_", self.zone_code))
        return "_".join(parts) + ".csv"
