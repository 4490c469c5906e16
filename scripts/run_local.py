"""`make run`: the whole service on this machine with its embedded defaults.

1. migrate the SQLite database (instance/parking.sqlite3) to the latest schema;
2. load the demo of Issy-les-Moulineaux (zones, tariffs, accounts), keeping existing data;
3. start localstripe on a free 127.0.0.1 port and register our webhook endpoint with it;
4. serve the API with gunicorn (gunicorn.conf.py) on 127.0.0.1:8000 until Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def start_localstripe() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "localstripe_server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"localstripe did not start: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[-1])}"


def register_webhook(stripe_base: str, target: str, secret: str) -> None:
    response = requests.post(
        f"{stripe_base}/_config/webhooks/parking",
        data={"url": target, "secret": secret},
        auth=("sk_test_local", ""),
        timeout=5,
    )
    response.raise_for_status()


def main() -> None:
    os.chdir(ROOT)
    (ROOT / "instance").mkdir(exist_ok=True)
    port = int(os.environ.get("PORT", "8000"))
    env = dict(os.environ)

    step("starting the local Stripe server (localstripe)")
    stripe_process, stripe_base = start_localstripe()
    env.setdefault("STRIPE_API_BASE", stripe_base)
    os.environ.update(env)

    from flask_migrate import upgrade

    from app import create_app
    from app.config import Settings
    from app.db import db
    from app.demo import DEMO_ACCOUNTS, load_demo

    app = create_app()
    settings: Settings = app.config["SETTINGS"]
    with app.app_context():
        step(f"migrating {settings.database_url}")
        upgrade()
        step("loading the Issy-les-Moulineaux demo")
        logins = load_demo()
        db.session.commit()

    webhook = f"http://127.0.0.1:{port}/api/v1/payments/stripe/webhook"
    register_webhook(settings.stripe_api_base, webhook, settings.stripe_webhook_secret)

    print()
    print(f"  API docs:     http://127.0.0.1:{port}/api/v1/docs")
    print(f"  OpenAPI:      http://127.0.0.1:{port}/api/v1/openapi.json")
    print(f"  Stripe (local): {settings.stripe_api_base}  (webhooks -> {webhook})")
    for role, email in DEMO_ACCOUNTS:
        print(f"  {role:<8} login: {email}  password: {logins[email]}")
    print("  Ctrl-C stops everything; data stays in instance/ for the next run.")
    print(flush=True)

    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], env=env
    )
    try:
        server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=35)
    finally:
        stripe_process.terminate()
        time.sleep(0.1)


if __name__ == "__main__":
    main()
