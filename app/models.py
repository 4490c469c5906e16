"""Import every model so that `Base.metadata` holds the whole schema (Alembic, tests)."""

from app.accounts.models import Device, RefreshToken, User, Vehicle
from app.idempotency import IdempotencyRecord

all_models = (User, RefreshToken, Device, Vehicle, IdempotencyRecord)
