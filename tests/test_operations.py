from __future__ import annotations

import importlib.util
import json
import logging

from app.config import PROJECT_ROOT
from app.observability import configure_logging


def test_healthz_answers_without_the_database(client):
    response = client.get("/api/v1/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client):
    response = client.get("/api/v1/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}


def test_metrics_count_requests_and_latency_by_endpoint(client):
    client.get("/api/v1/healthz")

    text = client.get("/api/v1/metrics").get_data(as_text=True)

    assert (
        'parking_http_requests_total{endpoint="/api/v1/healthz",method="GET",status="200"}' in text
    )
    assert "parking_http_request_duration_seconds_bucket" in text


def test_every_answer_carries_a_request_id(client):
    given = client.get("/api/v1/healthz", headers={"X-Request-ID": "abc-123-def"})
    made_up = client.get("/api/v1/healthz", headers={"X-Request-ID": "bad id <script>"})

    assert given.headers["X-Request-ID"] == "abc-123-def"
    assert len(made_up.headers["X-Request-ID"]) == 32


def test_logs_are_json_lines_with_the_request_id(capsys):
    configure_logging("INFO")
    try:
        logging.getLogger("parking.test").info("hello", extra={"request_id": "r-1"})
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        logging.getLogger().handlers.clear()

    record = json.loads(line)
    assert record["message"] == "hello"
    assert record["request_id"] == "r-1"
    assert record["level"] == "INFO"


def test_gunicorn_uses_workers_that_keep_serving_while_a_request_waits_on_the_network():
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", PROJECT_ROOT / "gunicorn.conf.py"
    )
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)

    assert conf.worker_class == "gevent"
    assert conf.worker_connections >= 100
    assert conf.bind.startswith("127.0.0.1:") or conf.bind.startswith("0.0.0.0:")
