from __future__ import annotations

import uuid

from sqlalchemy import select

from app.pagination import Page, paginate
from app.sessions.models import Notification


def list_notifications(user_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page:
    statement = select(Notification).where(Notification.user_id == user_id)
    keys = (Notification.created_at, Notification.id)
    return paginate(statement, keys, limit=limit, cursor=cursor, descending=True)
