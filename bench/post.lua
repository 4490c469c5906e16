-- wrk: a small JSON POST on every request (the baseline INSERT of bench/baseline_app.py).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"zone_code": "BENCH", "plate": "AB123CD", "duration_minutes": 60}'
