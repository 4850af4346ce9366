"""gunicorn's settings for Composure (`make serve`, the systemd unit, the container):

    gunicorn --config python:app.serving.gunicorn_config wsgi:app

Every value from the environment, with defaults for a small team on one machine:
BIND (127.0.0.1:8000), WEB_CONCURRENCY worker processes (4), WEB_THREADS threads each (4),
WEB_TIMEOUT seconds a request may take (60; an import upload of 64 MB on a slow link may
need more), WEB_GRACEFUL_TIMEOUT seconds to finish requests on stop or reload (30),
WEB_MAX_REQUESTS requests before a worker is replaced (1000; 0 never), WEB_PRELOAD (on).

Why gthread workers: each worker is a process with WEB_THREADS threads. The analysis and
tone checks are CPU work in Python, so processes give the parallelism; threads let a
worker keep serving while a request waits on the database or a slow client.

Why preload: the analysis pipelines and models take seconds to build and some 300 MB.
Preloaded, they are built once in the master and the workers share those pages by fork
(copy-on-write), start at once, and a replaced worker (max_requests) is back in
milliseconds. Measured with 4 workers on this machine: see the README, "Running in
production". The price: the master's database connections must not be used by the
children, hence `post_fork` below, and a code change needs a restart, not a HUP.
"""

from __future__ import annotations

import gc
import os

from config import _env_bool, _env_int

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _env_int("WEB_CONCURRENCY", 4)
threads = _env_int("WEB_THREADS", 4)
worker_class = "gthread"
timeout = _env_int("WEB_TIMEOUT", 60)
graceful_timeout = _env_int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
#: A worker is replaced after this many requests (give or take the jitter, so they do not
#: all restart at once): whatever memory a long-lived process gathers is given back.
max_requests = _env_int("WEB_MAX_REQUESTS", 1000)
max_requests_jitter = max(max_requests // 10, 0)
preload_app = _env_bool("WEB_PRELOAD", True)
#: The app logs each request itself (one JSON line with its id, user and time; see
#: app/serving/requestlog.py), so gunicorn's access log stays off; errors to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
#: Behind a proxy the app reads X-Forwarded-* itself (PROXY_COUNT); gunicorn need not.
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "composure-web"
#: No control socket: it would default to one path per user ($HOME/.gunicorn), shared by
#: every gunicorn that user runs; `kill -HUP`/`-TERM` on the master does what we need.
control_socket_disable = True


def post_fork(server, worker) -> None:
    """A preloaded app's connection pool belongs to the master: each child starts with an
    empty one of its own (close=False leaves the master's connections to the master)."""
    if not preload_app:
        return
    from app.extensions import db

    flask_app = worker.app.wsgi()
    with flask_app.app_context():
        db.engine.dispose(close=False)


def when_ready(server) -> None:
    """Once the preloaded app is built and before the workers fork: every object so far
    moves to the collector's permanent generation, so the workers' collections (and their
    exit) do not walk it and do not copy the pages they share with the master."""
    if preload_app:
        gc.freeze()
