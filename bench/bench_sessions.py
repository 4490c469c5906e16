"""Session starts per second, paid through the local Stripe server, as ratios to baselines.

Serves the service exactly as in production (gunicorn.conf.py: gevent workers) and drives
`POST /api/v1/sessions` with wrk, a new plate per request. Baselines from the same run:
- the bare framework's hello-world under the same gunicorn configuration;
- with a card processor that answers 50 ms late, the bound set by concurrency and latency
  (connections / (Stripe calls per start x 50 ms)): sync workers would sit far below it.

    python bench/bench_sessions.py [--seconds 10] [--connections 50]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python bench/bench_sessions.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, gunicorn, localstripe, require_wrk, slow_proxy, wrk  # noqa: E402

SECRET = "bench-secret-key-long-enough-for-hs256-signing"
# Each start asks Stripe three things in turn: the card's owner, create, confirm.
STRIPE_CALLS_PER_START = 3
ALL_DAY = {
    "paid_hours": [
        {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "24:00"}
    ],
    "free_on_public_holidays": False,
    "max_stay_minutes": 240,
    "grace_minutes": 5,
    "fps_amount_cents": 3500,
    "refund_unused": True,
    "profiles": {"visitor": {"price_points": [[0, 0], [60, 240], [240, 900]]}},
}


def service_env(database_url: str, stripe_base: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "STRIPE_API_BASE": stripe_base,
        "SECRET_KEY": SECRET,
        "STRIPE_NETWORK_RETRIES": "0",
    }


def seed(env: dict[str, str]) -> dict[str, str]:
    """Schema, a zone paid all day, a driver with a card; returns wrk's environment."""
    os.environ.update(env)
    import stripe
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.models import User
    from app.accounts.security import hash_password, issue_access_token
    from app.db import db
    from payments.services import usable_payment_method
    from zones.models import TariffVersion, Zone

    app = create_app(env)
    with app.app_context():
        upgrade()
        zone = Zone(
            code="BENCH",
            name="Bench",
            geometry={"type": "Polygon", "coordinates": []},
            timezone="Europe/Paris",
        )
        db.session.add(zone)
        db.session.flush()
        db.session.add(
            TariffVersion(
                zone_id=zone.id,
                version=1,
                effective_from=datetime(2026, 1, 1, tzinfo=UTC),
                currency="EUR",
                rules=ALL_DAY,
            )
        )
        driver = User(
            email="bench@example.org", role="driver", password_hash=hash_password("bench password")
        )
        db.session.add(driver)
        db.session.commit()
        client = stripe.StripeClient(
            "sk_test_bench", base_addresses={"api": env["STRIPE_API_BASE"]}
        )
        card = client.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 12,
                    "exp_year": 2035,
                    "cvc": "123",
                },
            }
        ).id
        usable_payment_method(driver, card)
        now = datetime.now(UTC)
        token = issue_access_token(driver.id, "driver", now, timedelta(minutes=15), SECRET)
    return {"TOKEN": token, "CARD": card, "ZONE": "BENCH"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--delay-ms", type=int, default=50)
    args = parser.parse_args()
    require_wrk()
    script = ROOT / "bench" / "start_session.lua"
    with tempfile.TemporaryDirectory() as scratch, localstripe() as stripe_base:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
        env = service_env(database_url, stripe_base)
        load_env = seed(env)
        with gunicorn("bench.baseline_app:app", env) as base:
            hello = wrk(f"{base}/hello", seconds=args.seconds, connections=args.connections)
        with gunicorn("wsgi:app", env) as base:
            starts = wrk(
                base,
                seconds=args.seconds,
                connections=args.connections,
                script=script,
                env=load_env,
            )
        with (
            slow_proxy(stripe_base, args.delay_ms) as slow_base,
            gunicorn("wsgi:app", {**env, "STRIPE_API_BASE": slow_base}) as base,
        ):
            slow = wrk(
                base,
                seconds=args.seconds,
                connections=args.connections,
                script=script,
                env=load_env,
            )
    bound = args.connections / (STRIPE_CALLS_PER_START * args.delay_ms / 1000)
    print(
        f"database: {database_url.split(':')[0]}, "
        f"{args.connections} connections, {args.seconds} s each"
    )
    print(
        f"hello-world baseline: {hello.requests_per_second:.0f} req/s (p50 {hello.p50_ms:.1f} ms)"
    )
    print(
        f"session starts, local Stripe: {starts.ratio_to(hello):.3f} x hello-world "
        f"(p50 {starts.p50_ms:.0f} ms, p99 {starts.p99_ms:.0f} ms, errors {starts.errors})"
    )
    print(
        f"session starts, Stripe +{args.delay_ms} ms: {slow.requests_per_second / bound:.2f} x "
        f"the concurrency/latency bound of {bound:.0f}/s "
        f"(p50 {slow.p50_ms:.0f} ms, errors {slow.errors})"
    )


if __name__ == "__main__":
    main()
