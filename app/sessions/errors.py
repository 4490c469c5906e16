"""The refusals of session actions, each with the contract's stable reason."""

from __future__ import annotations

from app.errors import Conflict, Forbidden, NotFound


class SessionNotFound(NotFound):
    reason = "session_not_found"
    message = "No such session."


class SessionOverlap(Conflict):
    reason = "session_overlap"
    message = "This plate already has a session in this zone at that time."


class SessionEnded(Conflict):
    reason = "session_ended"
    message = "This session has ended."


class PaymentInProgress(Conflict):
    reason = "payment_in_progress"
    message = "A payment of this session is still being made; finish it or wait."


class NotExtendable(Conflict):
    reason = "session_open_ended"
    message = "A pay-for-the-time-used session runs until stopped; it cannot be extended."


class ProfileNotAllowed(Forbidden):
    reason = "profile_not_allowed"
    message = "This plate holds no permit for that profile in this zone."
