"""Import every model so that `Base.metadata` holds the whole schema (Alembic, tests)."""

from app.accounts.models import Device, RefreshToken, User, Vehicle
from app.idempotency import IdempotencyRecord
from app.reports.models import ReportExport
from app.sessions.models import Notification, ParkingSession
from enforcement.models import PlateLookup
from payments.models import LedgerEntry, Payment, WebhookEvent
from zones.models import Permit, TariffVersion, Zone

all_models = (
    User,
    RefreshToken,
    Device,
    Vehicle,
    IdempotencyRecord,
    Zone,
    TariffVersion,
    Permit,
    ParkingSession,
    Notification,
    Payment,
    LedgerEntry,
    WebhookEvent,
    ReportExport,
    PlateLookup,
)
