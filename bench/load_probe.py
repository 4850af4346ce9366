"""The app as `wsgi:app` serves it, counting what each request does with the database.

    gunicorn ... bench.load_probe:app        (bench/load.py --probe does this)

Per request, one JSON line appended to $LOAD_PROBE_FILE: its kind (from bench/load.py's
X-Load-Kind header), its seconds in the app, the SQL statements and their seconds, the
pool's checkouts, the seconds spent waiting for a pooled connection, and the connections
opened (a pool too small for the threads opens and closes overflow connections). Only
for measuring: it wraps the pool's private `_do_get`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from wsgi import app as flask_app

_local = threading.local()
_write = threading.Lock()
_OUT = os.environ.get("LOAD_PROBE_FILE", "load_probe.jsonl")


def _counts() -> dict | None:
    return getattr(_local, "counts", None)


def _add(key: str, value: float) -> None:
    counts = _counts()
    if counts is not None:
        counts[key] += value


with flask_app.app_context():
    engine = db.engine


@event.listens_for(engine, "before_cursor_execute")
def _before(conn, cursor, statement, parameters, context, executemany):
    conn.info["probe_started"] = time.perf_counter()


@event.listens_for(engine, "after_cursor_execute")
def _after(conn, cursor, statement, parameters, context, executemany):
    now = time.perf_counter()
    took = now - conn.info.pop("probe_started", now)
    _add("queries", 1)
    _add("db_seconds", took)
    if "pg_advisory_xact_lock" in statement:  # the audit chain's lock (app/audit/log.py)
        _add("chain_lock_wait", took)
        counts = _counts()
        if counts is not None:
            counts["_locked_at"] = now


@event.listens_for(Session, "after_commit")
def _committed(session):
    counts = _counts()
    if counts is not None and counts.get("_locked_at"):
        counts["chain_lock_held"] += time.perf_counter() - counts.pop("_locked_at")


@event.listens_for(engine, "checkout")
def _checkout(dbapi_connection, record, proxy):
    _add("checkouts", 1)


@event.listens_for(engine, "connect")
def _connect(dbapi_connection, record):
    _add("connects", 1)


_do_get = engine.pool._do_get


def _timed_get():
    started = time.perf_counter()
    try:
        return _do_get()
    finally:
        _add("pool_wait", time.perf_counter() - started)


engine.pool._do_get = _timed_get

# Experiments (README "Load and reliability figures"): the pool without its ping per
# checkout, and the interpreter's GIL switch interval (5 ms by default).
if os.environ.get("LOAD_PROBE_NO_PRE_PING"):
    engine.pool._pre_ping = False
if os.environ.get("LOAD_PROBE_SWITCH_INTERVAL"):
    sys.setswitchinterval(float(os.environ["LOAD_PROBE_SWITCH_INTERVAL"]))


def app(environ, start_response):
    _local.counts = dict.fromkeys(
        ("queries", "db_seconds", "checkouts", "connects", "pool_wait")
        + ("chain_lock_wait", "chain_lock_held"),
        0,
    )
    started = time.perf_counter()
    try:
        body = flask_app(environ, start_response)
        # Drain the body here, so the request's teardown (session removed, connection
        # back in the pool) is inside the measurement.
        chunks = list(body)
        if hasattr(body, "close"):
            body.close()
        return chunks
    finally:
        counts = _local.counts
        _local.counts = None
        counts.pop("_locked_at", None)
        counts["seconds"] = time.perf_counter() - started
        counts["kind"] = environ.get("HTTP_X_LOAD_KIND", "")
        counts["pid"] = os.getpid()
        with _write, open(_OUT, "a", encoding="utf-8") as out:
            out.write(json.dumps(counts) + "\n")
