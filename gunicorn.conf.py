"""Gunicorn settings for production and `make run` (`gunicorn -c gunicorn.conf.py wsgi:app`).

gevent workers: a session start waits hundreds of milliseconds on the card processor; with sync
workers every other driver would queue behind it, with gevent each worker keeps serving other
requests while one waits on the network (psycopg 3 and the Stripe SDK's HTTP calls cooperate).
docs/DEPLOYMENT.md explains the numbers; bench/ measures them.
"""

import multiprocessing
import os
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gevent"
# One worker per core: gevent multiplexes the waiting inside each worker.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
# Requests one worker holds at once. Each may hold a database connection, so keep
# DB_POOL_SIZE + DB_MAX_OVERFLOW sized for it (the pool makes the surplus wait, not fail).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", 200))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 20000
max_requests_jitter = 2000
# Behind a reverse proxy, trust its X-Forwarded-* only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# gunicorn's default format, with the path (%(U)s) in place of the request line: a query string
# may hold a plate (`/enforcement/check?plate=`), and plates never go to logs (docs/PRIVACY.md).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'
errorlog = "-"

# Prometheus counters live in each worker; this directory lets /metrics add them up.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="parking-metrics-")


def child_exit(server, worker):  # noqa: ARG001  (gunicorn's hook signature)
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
