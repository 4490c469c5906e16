"""Baselines served under the same gunicorn configuration as the service.

- `GET /hello`: the bare framework, nothing else (the ceiling of any endpoint);
- `GET /indexed?plate=&zone_id=`: the one indexed SELECT an enforcement check needs, with no
  auth, validation or serialization (the ceiling of a check on this database);
- `POST /insert`: one committed INSERT (the ceiling of any request that writes), into a table
  that `create_insert_table` makes before the server starts.
"""

from __future__ import annotations

import os
import uuid

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

# The service's SQLite pragmas (WAL, synchronous=FULL, busy timeout) apply to every engine once
# app.db is imported: the baselines pay what the service pays for a durable write.
from app import db as _service_database  # noqa: F401

app = Flask(__name__)
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite://")
_pool = {"pool_size": 10, "max_overflow": 10} if DATABASE_URL.startswith("postgresql") else {}
_engine = create_engine(DATABASE_URL, **_pool)
LATEST_SESSION = text(
    "SELECT id, ends_at FROM parking_sessions WHERE plate = :plate AND zone_id = :zone_id"
    " ORDER BY starts_at DESC LIMIT 1"
)


INSERT_TABLE = "bench_inserts"


def create_insert_table(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {INSERT_TABLE}"))
        connection.execute(
            text(f"CREATE TABLE {INSERT_TABLE} (id VARCHAR(32) PRIMARY KEY, body VARCHAR(200))")
        )
    engine.dispose()


@app.get("/hello")
def hello():
    return jsonify(hello="world")


@app.get("/indexed")
def indexed():
    zone_id = uuid.UUID(request.args["zone_id"])
    bound = zone_id if _engine.dialect.name == "postgresql" else zone_id.hex
    with _engine.connect() as connection:
        row = connection.execute(
            LATEST_SESSION, {"plate": request.args["plate"], "zone_id": bound}
        ).first()
    return jsonify(found=row is not None)


@app.post("/insert")
def insert():
    with _engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO {INSERT_TABLE} (id, body) VALUES (:id, :body)"),
            {"id": uuid.uuid4().hex, "body": request.get_data(as_text=True)[:200]},
        )
    return jsonify(inserted=True), 201
