"""Why the pricing engine refuses a computation.

Each error carries the contract's 422 `reason`; the web layer maps them, the engine stays free of
Flask. They subclass `ValueError`: every one is a refusal of the values passed in.
"""


class PricingError(ValueError):
    """A tariff cannot price what was asked."""

    reason = "pricing_error"


class NaiveDatetime(PricingError):
    reason = "naive_datetime"


class InvalidPeriod(PricingError):
    reason = "invalid_period"


class ExceedsMaxStay(PricingError):
    reason = "exceeds_max_stay"


class UnknownProfile(PricingError):
    reason = "unknown_profile"


class AmountTooLow(PricingError):
    reason = "amount_too_low"


class BelowMinimumCharge(PricingError):
    reason = "below_minimum_charge"


class UnsupportedCurrency(PricingError):
    reason = "unsupported_currency"
