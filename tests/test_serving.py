"""Serving in production, as an operator and a user notice it: start-up refusals, the headers,
the health endpoint, the request log, size and rate limits, and gunicorn itself."""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.serving.counters import DatabaseStorage
from app.serving.requestlog import JsonFormatter
from app.serving.settings import SettingsError
from tests.fixtures.app import base_config
from tests.fixtures.users import login

ROOT = Path(__file__).resolve().parents[1]
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
STRONG_KEY = secrets.token_hex(32)


def production(database_url, clock, **settings):
    return {
        **base_config(database_url, clock),
        "COMPOSURE_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "BASE_URL": "https://composure.example.com",
        **settings,
    }


# Start-up refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "SECRET_KEY is not set"),
        ("changeme", "SECRET_KEY is a well-known example value"),
        ("x" * 20, "SECRET_KEY is too short (20 characters)"),
        ("a" * 40, "SECRET_KEY repeats too few characters to be random"),
    ],
)
def test_production_refuses_a_missing_or_weak_secret_key(database_url, clock, key, problem):
    with pytest.raises(SettingsError) as refused:
        create_app(production(database_url, clock, SECRET_KEY=key))
    message = str(refused.value)
    assert message.startswith(problem)
    assert "COMPOSURE_ENV=production" in message
    assert "python -c 'import secrets; print(secrets.token_hex(32))'" in message


def test_production_refuses_to_start_without_a_base_url_or_with_a_mistyped_env(database_url, clock):
    with pytest.raises(SettingsError, match="BASE_URL is not set"):
        create_app(production(database_url, clock, BASE_URL=""))
    with pytest.raises(SettingsError, match="COMPOSURE_ENV must be 'production' or"):
        create_app(production(database_url, clock, COMPOSURE_ENV="prod"))


def test_production_never_generates_a_key_development_does(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "COMPOSURE_ENV")}
    code = "from config import Config; print(repr(Config.SECRET_KEY), Config.BASE_URL)"
    env = {**clean, "COMPOSURE_INSTANCE_DIR": str(tmp_path)}
    shown = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "COMPOSURE_ENV": "production"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown.split() == ["''"]  # no key, no BASE_URL default: create_app refuses
    assert not (tmp_path / "secret_key").exists()
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert len(shown.split()[0].strip("'")) == 64  # `make run`: nothing to set
    assert shown.split()[1] == "http://127.0.0.1:5000"


# Headers ----------------------------------------------------------------------------------


def test_no_store_for_signed_in_pages_and_the_api_not_for_static_files(
    plain_app, client_for, token_for
):
    agent = client_for("agent")
    assert agent.get("/inbox").headers["Cache-Control"] == "no-store"
    assert "no-store" not in agent.get("/static/app.css").headers.get("Cache-Control", "")
    api = plain_app.test_client().get(
        "/api/v1/complaints", headers={"Authorization": f"Bearer {token_for('agent')}"}
    )
    assert api.headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in plain_app.test_client().get("/login").headers


def test_https_through_the_proxy_gets_secure_cookies_and_hsts(database_url, clock, users):
    def first_visit(app, **headers):
        return app.test_client().get("/login", headers=headers)

    behind_proxy = create_app({**base_config(database_url, clock), "PROXY_COUNT": 1})
    over_https = first_visit(behind_proxy, **{"X-Forwarded-Proto": "https"})
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert all("; Secure" in c for c in over_https.headers.getlist("Set-Cookie"))
    plain_http = first_visit(behind_proxy)
    assert "Strict-Transport-Security" not in plain_http.headers

    # No proxy configured: nobody can claim HTTPS (or an address) with a header.
    direct = create_app(base_config(database_url, clock))
    claimed = first_visit(direct, **{"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in claimed.headers
    # FORCE_HTTPS: every answer, whatever the proxy says.
    forced = create_app({**base_config(database_url, clock), "FORCE_HTTPS": True})
    assert first_visit(forced).headers["Strict-Transport-Security"].startswith("max-age=")


def test_invitation_links_come_from_base_url_not_the_requests_host(database_url, clock, users):
    app = create_app({**base_config(database_url, clock), "PROXY_COUNT": 1})
    app.config["WTF_CSRF_ENABLED"] = False
    admin = app.test_client()
    login(admin, users["admin"].email)
    page = admin.post(
        "/admin/users/invite",
        data={"email": "new@example.com", "name": "New Person", "roles": ["agent"]},
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    )
    assert page.status_code == 200, page.data
    assert "http://composure.test/invitation/" in page.text
    assert "evil.example" not in page.text


# Health -----------------------------------------------------------------------------------


def test_healthz_answers_without_a_session_and_says_when_the_database_is_gone(app, database_url):
    client = app.test_client()
    ok = client.get("/healthz")
    assert (ok.status_code, ok.get_json()) == (200, {"status": "ok", "database": "ok"})
    assert "Set-Cookie" not in ok.headers
    assert ok.headers["Cache-Control"] == "no-store"

    with app.app_context():  # the database goes away under a running app
        db.engine.dispose()
    database = Path(sa.make_url(database_url).database)
    database.unlink()
    database.mkdir()  # SQLite cannot open it (and cannot make a new empty one there)
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.get_json() == {
        "status": "unavailable",
        "database": "unreachable (OperationalError)",
    }


# The request log --------------------------------------------------------------------------


def test_one_log_line_per_request_with_its_id_status_time_and_user(
    database_url, clock, users, caplog
):
    app = create_app({**base_config(database_url, clock), "LOG_REQUESTS": True})
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    login(client, users["agent"].email)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="app.requests"):
        given = client.get("/?q=secret", headers={"X-Request-ID": "proxy-id-1234"})
        made = client.get("/nowhere", headers={"X-Request-ID": "bad id <script>"})
    assert given.headers["X-Request-ID"] == "proxy-id-1234"
    assert len(made.headers["X-Request-ID"]) == 32  # not sane: a new one
    first, second = (json.loads(JsonFormatter().format(r)) for r in caplog.records)
    assert first["message"].startswith("GET / 200 ")
    assert {k: first[k] for k in ("request_id", "method", "path", "status", "user_id")} == {
        "request_id": "proxy-id-1234",
        "method": "GET",
        "path": "/",  # without the query string
        "status": 200,
        "user_id": users["agent"].id,
    }
    assert first["duration_ms"] > 0
    assert (second["status"], second["request_id"]) == (404, made.headers["X-Request-ID"])


# Size limits ------------------------------------------------------------------------------


def test_a_too_large_api_body_gets_a_json_413_and_a_form_a_readable_page(
    plain_app, client_for, token_for
):
    api = plain_app.test_client().post(
        "/api/v1/complaints",
        json={"channel": "x", "text": "x" * (1024 * 1024 + 1)},
        headers={"Authorization": f"Bearer {token_for('agent')}"},
    )
    assert api.status_code == 413
    assert api.get_json()["error"] == {
        "code": "too_large",
        "message": "The request is larger than the 1 MB accepted here.",
        "fields": {},
    }
    page = client_for("agent").post("/complaints/new", data={"text": "x" * (1024 * 1024 + 1)})
    assert page.status_code == 413
    assert "Too large to send" in page.text
    assert "Nothing was saved: go back" in page.text


def test_the_import_upload_takes_more_than_the_general_limit(client_for):
    big = b"text,channel\r\n" + b"x" * (2 * 1024 * 1024)
    body = (  # built here: the test client would spool it to a file it never closes
        b"--b\r\nContent-Disposition: form-data; name=format\r\n\r\nnot-a-format\r\n"
        b'--b\r\nContent-Disposition: form-data; name=file; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + big + b"\r\n--b--\r\n"
    )
    page = client_for("agent").post(
        "/imports", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert page.status_code == 400  # read and judged by the form, not refused for its size


# Rate limits ------------------------------------------------------------------------------


@pytest.fixture
def limited(database_url, clock, users):
    """The app with rate limits on (they are off in the other tests) and small ones."""
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_SIGN_IN": "3/minute",
        "RATELIMIT_API": "3/minute",
        "RATELIMIT_LIVE_CHECK": "3/minute",
        "WTF_CSRF_ENABLED": False,
    }
    app = create_app({**base_config(database_url, clock), **settings})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sign_in_is_limited_per_address_with_a_page_saying_when_to_try_again(limited, users):
    def attempt(address):
        return limited.test_client().post(
            "/login",
            data={"email": users["agent"].email, "password": "wrong"},
            environ_base={"REMOTE_ADDR": address},
        )

    assert [attempt("198.51.100.1").status_code for _ in range(3)] == [401, 401, 401]
    refused = attempt("198.51.100.1")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Slow down a little" in refused.text
    assert "Try again in" in refused.text
    assert attempt("198.51.100.2").status_code == 401  # another address is not held up


def test_the_api_is_limited_per_person_in_its_json_format(limited, token_for):
    def call(token):
        return limited.test_client().get(
            "/api/v1/complaints", headers={"Authorization": f"Bearer {token}"}
        )

    agent, reviewer = token_for("agent"), token_for("reviewer")
    assert [call(agent).status_code for _ in range(3)] == [200, 200, 200]
    refused = call(agent)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert "Try again in" in refused.get_json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert call(reviewer).status_code == 200  # per person, not for everyone


def test_the_live_check_is_limited_per_person(limited, users):
    agent, reviewer = limited.test_client(), limited.test_client()
    login(agent, users["agent"].email)
    login(reviewer, users["reviewer"].email)
    statuses = [agent.post("/drafts/999999/check", json={}).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert reviewer.post("/drafts/999999/check", json={}).status_code == 404


def test_the_live_check_default_allows_typing_without_pause():
    from limits import parse_many

    from config import Config

    per_second, per_minute = sorted(
        parse_many(Config.RATELIMIT_LIVE_CHECK), key=lambda limit: limit.get_expiry()
    )
    checks_while_typing = 1 / 0.3  # the editor sends one every ~300 ms
    assert per_second.amount >= 3 * checks_while_typing
    assert per_minute.amount >= 60 * checks_while_typing


@BOTH
def test_the_database_counters_count_atomically_and_start_again_after_the_window(ctx):
    storage = DatabaseStorage()
    assert storage.check()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3
    assert time.time() < storage.get_expiry("k") <= time.time() + 60

    def hit_ten_times():
        with ctx.app_context():
            for _ in range(10):
                storage.incr("shared", 60)

    threads = [threading.Thread(target=hit_ten_times) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.get("shared") == 40

    db.session.execute(sa.text("UPDATE rate_limit_counters SET expires_at = 0"))
    db.session.commit()
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1  # a new window
    storage.clear("k")
    assert storage.get("k") == 0


# gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (our own server)
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_gunicorn_serves_the_app_with_two_workers(sqlite_template, tmp_path):
    database = tmp_path / "served.sqlite3"
    shutil.copy(sqlite_template, database)
    port = free_port()
    env = {
        **os.environ,
        "COMPOSURE_ENV": "production",
        "COMPOSURE_INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_hex(32),
        "BASE_URL": "https://composure.example.com",
        "DATABASE_URL": f"sqlite:///{database}",
        "ANALYSIS_WARM_UP": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "2",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--config",
        "python:app.serving.gunicorn_config",
        "wsgi:app",
    ]
    server = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = fetch(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.1)
        assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
        status, headers, body = fetch(f"http://127.0.0.1:{port}/login")
        assert status == 200
        assert b"Sign in" in body
        assert len(headers["X-Request-ID"]) == 32
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert server.returncode == 0, log
    assert log.count("Booting worker") == 2
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    logged = [(line["method"], line["path"], line["status"]) for line in lines if "path" in line]
    assert ("GET", "/login", 200) in logged


# Deployment examples ----------------------------------------------------------------------

DEPLOY = ROOT / "docs" / "deploy"
SERVE = "gunicorn --config python:app.serving.gunicorn_config wsgi:app"
WORK = "flask --app wsgi worker run"


def test_the_deployment_examples_run_the_same_commands_and_name_real_settings():
    """No Docker engine or systemd here: what can be checked without them (README says
    what was exercised where)."""
    import re

    import yaml

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert set(compose["services"]) == {"db", "web", "worker"}
    web, worker = compose["services"]["web"], compose["services"]["worker"]
    assert web["build"] == {"context": "../..", "dockerfile": "docs/deploy/Dockerfile"}
    assert " ".join(worker["command"]) == WORK
    assert worker["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]

    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER composure$", dockerfile, re.M)
    assert "/healthz" in dockerfile.split("HEALTHCHECK", 1)[1].split("\n\n")[0]
    assert SERVE in dockerfile
    assert SERVE in (ROOT / "Makefile").read_text()

    web_unit = (DEPLOY / "composure-web.service").read_text()
    worker_unit = (DEPLOY / "composure-worker.service").read_text()
    assert f"ExecStart=/opt/composure/.venv/bin/{SERVE}" in web_unit
    assert f"ExecStart=/opt/composure/.venv/bin/{WORK}" in worker_unit
    for unit in (web_unit, worker_unit):
        assert "EnvironmentFile=/etc/composure/composure.env" in unit
        assert "Environment=COMPOSURE_ENV=production" in unit

    read = set(re.findall(r"environ(?:\.get)?\(\s*\"([A-Z_]+)\"", (ROOT / "config.py").read_text()))
    read |= set(
        re.findall(r"_env_(?:int|bool|pairs)\(\"([A-Z_]+)\"", (ROOT / "config.py").read_text())
    )
    served = (ROOT / "app" / "serving" / "gunicorn_config.py").read_text()
    read |= set(re.findall(r"\"([A-Z_]+)\"", served))
    named = re.findall(r"^#?([A-Z][A-Z_]+)=", (DEPLOY / "composure.env.example").read_text(), re.M)
    assert set(named) - read == set()
    assert {"SECRET_KEY", "AUDIT_KEY", "BASE_URL", "DATABASE_URL"} <= set(named)
