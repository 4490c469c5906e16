"""With REDIS_URL set, login attempts are counted across processes (workers, machines)."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/15"
ATTEMPT = """
import sys
from app import create_app
settings = {{"DATABASE_URL": "{database_url}", "REDIS_URL": "{redis_url}",
            "LOGIN_RATE_LIMIT": "2 per minute", "PARKING_ENV": "test"}}
app = create_app(settings)
body = {{"email": "{email}", "password": "wrong!"}}
answer = app.test_client().post("/api/v1/auth/login", json=body)
sys.stdout.write(str(answer.status_code))
"""


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_login_attempts_are_counted_across_processes_in_redis(database_url, project_root):
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()  # database 15 is the suite's own: counters of earlier runs must not count
    email = f"{uuid.uuid4().hex}@example.org"
    script = ATTEMPT.format(database_url=database_url, redis_url=REDIS_URL, email=email)

    answers = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=project_root
        ).stdout
        for _ in range(3)
    ]

    assert answers == ["401", "401", "429"]
    assert any(b"parking-rl" in key for key in store.scan_iter())
    store.flushdb()
