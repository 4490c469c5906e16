"""Session starts per second, paid through the local Stripe server, as ratios to baselines.

Serves the service exactly as in production (gunicorn.conf.py: gevent workers) and drives
`POST /api/v1/sessions` with wrk, a new plate per request. Baselines from the same run:
- the bare framework's hello-world under the same gunicorn configuration;
- with a card processor that answers 50 ms late, the bound set by concurrency and latency
  (connections / (Stripe calls per start x 50 ms)): sync workers would sit far below it.

- the same slow processor with sync workers, for contrast: each worker held while it waits;
- one committed INSERT (bench/baseline_app.py `/insert`), the ceiling of any request that writes.

    python bench/bench_sessions.py [--database sqlite|postgresql] [--seconds 10] [--connections 50]
PostgreSQL uses DATABASE_URL, else the database `bench` (created if missing; its `public` schema
is rebuilt).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baseline_app import create_insert_table  # noqa: E402
from bench.harness import (  # noqa: E402
    ROOT,
    Load,
    bench_database_url,
    gunicorn,
    localstripe,
    require_wrk,
    result,
    slow_proxy,
    wrk,
)
from tests.support.database import reset_and_migrate  # noqa: E402

POST = ROOT / "bench" / "post.lua"

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

    from app import create_app
    from app.accounts.models import User
    from app.accounts.security import hash_password, issue_access_token
    from app.db import db
    from payments.services import usable_payment_method
    from zones.models import TariffVersion, Zone

    app = create_app(env)
    with app.app_context():
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


def measure(args: argparse.Namespace, database_url: str, stripe_base: str) -> dict[str, Load]:
    env = service_env(database_url, stripe_base)
    load_env = seed(env)
    script = ROOT / "bench" / "start_session.lua"
    create_insert_table(database_url)

    def drive(base: str, run: str) -> Load:
        # RUN keeps each run's plates apart: a plate holds one session per zone at a time.
        return wrk(
            base,
            seconds=args.seconds,
            connections=args.connections,
            script=script,
            env=load_env | {"RUN": run},
        )

    loads = {}
    with gunicorn("bench.baseline_app:app", env) as base:
        loads["hello"] = wrk(f"{base}/hello", seconds=args.seconds, connections=args.connections)
        loads["insert"] = wrk(
            f"{base}/insert", seconds=args.seconds, connections=args.connections, script=POST
        )
    with gunicorn("wsgi:app", env) as base:
        loads["starts"] = drive(base, "A")
    with slow_proxy(stripe_base, args.delay_ms) as slow_base:
        slow_env = env | {"STRIPE_API_BASE": slow_base}
        with gunicorn("wsgi:app", slow_env) as base:
            loads["slow"] = drive(base, "B")
        # For contrast: the same load on sync workers, each held while Stripe answers.
        with gunicorn("wsgi:app", slow_env, worker_class="sync") as base:
            loads["sync"] = drive(base, "C")
    return loads


def report(args: argparse.Namespace, database: str, loads: dict[str, Load]) -> None:
    hello, insert, starts = loads["hello"], loads["insert"], loads["starts"]
    slow, sync = loads["slow"], loads["sync"]
    workers = os.cpu_count() or 1
    bound = args.connections / (STRIPE_CALLS_PER_START * args.delay_ms / 1000)
    sync_bound = workers / (STRIPE_CALLS_PER_START * args.delay_ms / 1000)
    print(f"database: {database}, {args.connections} connections, {args.seconds} s each")
    for name, load in (
        ("hello-world", hello),
        ("one INSERT", insert),
        ("starts, local Stripe", starts),
        (f"starts, Stripe +{args.delay_ms} ms, gevent", slow),
        (f"starts, Stripe +{args.delay_ms} ms, sync", sync),
    ):
        print(
            f"  {name:<32} {load.requests_per_second:>8.0f} req/s  p50 {load.p50_ms:>7.0f} ms"
            f"  p99 {load.p99_ms:>7.0f} ms  errors {load.errors}"
        )
    print(f"  concurrency/latency bound, gevent: {bound:.0f}/s; sync, {workers} workers: "
          f"{sync_bound:.0f}/s")  # fmt: skip
    latency = f"p50 {starts.p50_ms:.0f} ms, p99 {starts.p99_ms:.0f} ms, errors {starts.errors}"
    result(
        f"session start, local Stripe ({database})",
        f"{starts.ratio_to(hello):.3f}x",
        f"hello-world {hello.requests_per_second:.0f} req/s",
        f"{starts.requests_per_second:.0f} starts/s, {latency}; localstripe shares the cores",
    )
    result(
        f"session start, local Stripe ({database})",
        f"{starts.ratio_to(insert):.3f}x",
        f"one INSERT {insert.requests_per_second:.0f} req/s",
        "a start writes the session, payment, ledger and idempotency rows",
    )
    result(
        f"session start, Stripe answering {args.delay_ms} ms late, gevent ({database})",
        f"{slow.requests_per_second / bound:.2f}x",
        f"concurrency/latency bound {bound:.0f}/s",
        f"{slow.requests_per_second:.0f} starts/s, p50 {slow.p50_ms:.0f} ms, errors {slow.errors}",
    )
    result(
        f"session start, Stripe answering {args.delay_ms} ms late, gevent ({database})",
        f"{slow.ratio_to(starts):.2f}x",
        f"the same with no delay, {starts.requests_per_second:.0f} starts/s",
        "1.00x: waiting on Stripe would cost the workers nothing (the proxy adds its own CPU)",
    )
    result(
        f"session start, Stripe answering {args.delay_ms} ms late, sync workers ({database})",
        f"{sync.requests_per_second / bound:.2f}x",
        f"concurrency/latency bound {bound:.0f}/s",
        f"{sync.requests_per_second:.0f} starts/s, {workers} sync workers stall "
        f"(their own bound {sync_bound:.0f}/s)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--delay-ms", type=int, default=50)
    args = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory() as scratch, localstripe() as stripe_base:
        database_url = bench_database_url(args.database, scratch)
        reset_and_migrate(database_url)
        loads = measure(args, database_url, stripe_base)
    report(args, args.database, loads)


if __name__ == "__main__":
    main()
