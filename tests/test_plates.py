from __future__ import annotations

import pytest

from app.plates import InvalidPlate, normalize_plate


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("AB-123-CD", "AB123CD"),  # SIV as printed
        ("ab-123-cd", "AB123CD"),
        ("AB 123 CD", "AB123CD"),
        ("ab123cd", "AB123CD"),
        (" ab.123.cd ", "AB123CD"),
        ("1234 AB 75", "1234AB75"),  # FNI (pre-2009)
        ("123 ABC 2A", "123ABC2A"),  # FNI, Corsica
        ("B-MW 1234", "BMW1234"),  # Germany
        ("M-ÜB 123", "MÜB123"),  # German district codes may carry umlauts
        ("GE 123456", "GE123456"),  # Switzerland
        ("1-ABC-123", "1ABC123"),  # Belgium
        ("AB12 CDE", "AB12CDE"),  # United Kingdom
        ("ＡＢ－１２３－ＣＤ", "AB123CD"),  # full-width characters from some keyboards
    ],
)
def test_common_spellings_normalize_to_one_plate(typed, normalized):
    assert normalize_plate(typed) == normalized


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "-",
        "A",
        "AB-123-CD-EF-GH-IJ",
        "AB/123/CD",
        "AB_123",
        "DROP;TABLE",
        "ab<script>",
        "AB\x00123",
    ],
)
def test_impossible_plates_are_refused(typed):
    with pytest.raises(InvalidPlate):
        normalize_plate(typed)
