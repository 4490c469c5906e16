"""The one licence-plate normalisation of the service (CONTRACT.md, Conventions: Plates).

Used on every write and every lookup, so `ab-123-cd`, `AB 123 CD` and `ab123cd` are one plate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from marshmallow import ValidationError, fields

MAX_PLATE_LENGTH = 12
MIN_PLATE_LENGTH = 2
# What drivers and officers type between the groups of a plate.
_SEPARATORS = re.compile(r"[\s\-.·]+")
# Latin capitals (with the diacritics some European plates carry, e.g. German Ä, Ö, Ü) and digits.
_PLATE = re.compile(r"^[A-Z0-9ÄÖÜÅÆØÑ]+$")
# Plates past their retention are replaced by a pseudonym (enforcement/privacy.py) that starts
# with a character `normalize_plate` never yields: no lookup can match it, and it marks the row
# as done. 1 + 15 hex digits of a keyed hash fit the 16 characters of every plate column.
PSEUDONYM_PREFIX = "~"
PSEUDONYM_LENGTH = 16


class InvalidPlate(ValueError):
    reason = "invalid_plate"


@dataclass(frozen=True)
class Plate:
    """A plate as typed (kept where the contract stores it raw) and as normalised (compared)."""

    raw: str
    normalized: str

    @classmethod
    def parse(cls, raw: str) -> Plate:
        return cls(raw=raw.strip(), normalized=normalize_plate(raw))

    def __str__(self) -> str:
        return self.normalized


def normalize_plate(raw: str) -> str:
    """Upper case, separators removed; raise `InvalidPlate` for what cannot be a plate."""
    if not isinstance(raw, str):
        raise InvalidPlate("A plate must be text.")
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    plate = _SEPARATORS.sub("", text)
    if not plate:
        raise InvalidPlate("The plate is empty.")
    if len(plate) > MAX_PLATE_LENGTH:
        raise InvalidPlate(f"A plate has at most {MAX_PLATE_LENGTH} letters and digits.")
    if len(plate) < MIN_PLATE_LENGTH:
        raise InvalidPlate(f"A plate has at least {MIN_PLATE_LENGTH} letters and digits.")
    if not _PLATE.match(plate):
        raise InvalidPlate("A plate holds only letters, digits, spaces, dashes and dots.")
    return plate


class PlateField(fields.String):
    """A marshmallow field that loads any common spelling as a `Plate`, and dumps it normalised."""

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return Plate.parse(text)
        except InvalidPlate as exc:
            raise ValidationError(str(exc)) from exc

    def _serialize(self, value, attr, obj, **kwargs):  # type: ignore[no-untyped-def]
        return None if value is None else str(value)
