from tests.support.zones import make_zone  # noqa: F401  (the shared fixture)
