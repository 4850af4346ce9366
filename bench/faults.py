"""Faults: kill -9 a web process during an import and a worker during webhook delivery,
start again, and show that nothing was lost and no reply was posted twice without the same
Idempotency-Key. Prints a table; exits 1 on any loss.

(a) gunicorn (2 workers × 4 threads) serves a fresh instance; a CSV is uploaded through
    the web form (IMPORTS_RUN_BY=web: the process that took the upload runs it); once a
    third of it is in, that process is killed (-9; its pid is in the job's lease). Then
    `flask worker run --only imports` starts: after the lease runs out it takes the job
    over and resumes after the last committed batch. Checked: the job ends `done`, rows
    imported == rows in the file, one complaint per external id.
(b) a webhook receiver on 127.0.0.1 (it counts POSTs per Idempotency-Key and answers
    slowly); N replies are published through the workflow's operations; `flask worker run
    --only outbox` delivers them and is killed (-9) while a POST is in flight, then started
    again. Checked: every publication delivered, each reply posted under one key only, and
    how long the row in flight when the worker died waited (its lease: two webhook
    timeouts and 5 s).

    .venv/bin/python bench/faults.py [--rows 10000] [--replies 30] [--postgres URL]

With --postgres, the same again on a database `composure_faults_workers` made (and
dropped) there with the URL's role (it needs CREATEDB). Ports 8121 (web) and 8122
(receiver). The issue's figure is --rows 100000 (about ten minutes per database on this
2-core machine, where the analysis of each row dominates); the default keeps a run near
three minutes.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa

from bench.report import table

WEB_PORT, HOOK_PORT = 8121, 8122
SECRET = "faults-webhook-secret"  # noqa: S105 (a throwaway instance)
PASSWORD = "faults-password-1234"  # noqa: S105
LEASE_SECONDS = 10
WEBHOOK_TIMEOUT = 2  # so a claim holds 2 × 2 + 5 = 9 s
BENCH_SECRET_KEY = "faults-bench-secret"  # noqa: S105


def environment(instance: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "COMPOSURE_INSTANCE_DIR": str(instance),
        "SECRET_KEY": BENCH_SECRET_KEY,
        "IMPORTS_RUN_BY": "web",
        "IMPORT_LEASE_SECONDS": str(LEASE_SECONDS),
        "IMPORT_BATCH_SIZE": "500",
        "WORKER_POLL_SECONDS": "1",
        "PUBLISHERS": "x=webhook",
        "PUBLISH_WEBHOOK_URL": f"http://127.0.0.1:{HOOK_PORT}/hooks/composure",
        "PUBLISH_WEBHOOK_SECRET": SECRET,
        "PUBLISH_WEBHOOK_ALLOW_HTTP_LOCALHOST": "1",
        "PUBLISH_WEBHOOK_TIMEOUT_SECONDS": str(WEBHOOK_TIMEOUT),
        "PYTHONUNBUFFERED": "1",
    }
    env["DATABASE_URL"] = database_url or f"sqlite:///{instance / 'composure.sqlite3'}"
    return env


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
    )


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(test, timeout: float, every: float = 0.2, what: str = "it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = test()
        if value:
            return value
        time.sleep(every)
    raise SystemExit(f"faults: gave up waiting for {what} after {timeout:.0f} s")


# (a) the web import


class Browser:
    """Signs in and uploads through the real forms (cookies and CSRF tokens)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:  # noqa: S310
            return response.read().decode()

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)).group(1)

    def login(self, email: str) -> None:
        form = {"csrf_token": self.token("/login"), "email": email, "password": PASSWORD}
        data = urllib.parse.urlencode(form).encode()
        self.opener.open(self.base + "/login", data=data, timeout=60).read()  # noqa: S310

    def upload(self, path: Path) -> str:
        boundary = uuid.uuid4().hex
        fields = {"csrf_token": self.token("/imports"), "format": "", "encoding": ""}
        fields["default_channel"] = ""
        part = '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'
        body = b"".join(
            part.format(boundary, name, value).encode() for name, value in fields.items()
        )
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        body += path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(  # noqa: S310 (our own server on 127.0.0.1)
            self.base + "/imports",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with self.opener.open(request, timeout=120) as response:
            return response.geturl()


def write_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("external_id,channel,text,received_at\n")
        for n in range(rows):
            handle.write(f"f{n},x,Complaint number {n} about order NW-{n},2026-11-20T10:00:00Z\n")
    return path


def job_row(engine: sa.Engine) -> dict:
    with engine.connect() as connection:
        row = (
            connection.execute(
                sa.text(
                    "SELECT status, processed_rows, total_rows, imported_count, duplicate_count, "
                    "claimed_by, resumes FROM import_jobs ORDER BY id DESC LIMIT 1"
                )
            )
            .mappings()
            .first()
        )
        return dict(row) if row else {}


def import_fault(env: dict, engine: sa.Engine, folder: Path, rows: int) -> tuple[list, bool]:
    log = folder / "web.log"
    web = start(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "--threads", "4", "-b",
         f"127.0.0.1:{WEB_PORT}", "--timeout", "120", "wsgi:app"],
        env,
        log,
    )  # fmt: skip
    worker = None
    try:
        browser = Browser(f"http://127.0.0.1:{WEB_PORT}")
        wait_for(lambda: _answers(browser), 120, 0.5, "gunicorn")
        browser.login("agent@faults.example")
        path = write_csv(folder / "feed.csv", rows)
        uploaded = time.monotonic()
        browser.upload(path)
        job = wait_for(
            lambda: (j := job_row(engine)).get("processed_rows", 0) >= rows // 3 and j,
            600,
            0.1,
            "a third of the import",
        )
        victim = int(job["claimed_by"].split(":")[-2])  # host:pid:random
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        at_kill = job_row(engine)
        worker = start(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "run", "--only", "imports"],
            env,
            folder / "worker-imports.log",
        )
        wait_for(lambda: job_row(engine).get("resumes", 0) >= 1, 120, 0.2, "takeover")
        taken_after = time.monotonic() - killed
        done = wait_for(
            lambda: (j := job_row(engine))["status"] in ("done", "failed") and j,
            1200,
            0.5,
            "the import to finish",
        )
        finished_after = time.monotonic() - killed
        with engine.connect() as connection:
            stored, distinct = connection.execute(
                sa.text("SELECT count(*), count(DISTINCT external_id) FROM complaints")
            ).one()
    finally:
        if worker is not None:
            stop(worker)
        stop(web)
    ok = done["status"] == "done" and done["imported_count"] == rows == stored == distinct
    return [
        ["import: rows in the file", f"{rows:,}", ""],
        [
            "import: killed web process",
            f"pid {victim} at row {at_kill['processed_rows']:,} "
            f"({killed - uploaded:.0f} s after the upload)",
            "",
        ],
        ["import: taken over by the worker", f"{taken_after:.1f} s after the kill", ""],
        [
            "import: status",
            f"running -> {done['status']} ({finished_after:.0f} s after kill)",
            "ok" if done["status"] == "done" else "LOST",
        ],  # fmt: skip
        [
            "import: imported / complaints / distinct ids",
            f"{done['imported_count']:,} / {stored:,} / {distinct:,}",
            "ok" if ok else "LOST",
        ],
        ["import: resumes", str(done["resumes"]), "ok" if done["resumes"] >= 1 else "?"],
    ], ok


def _answers(browser: Browser) -> bool:
    try:
        browser.get("/login")
    except OSError:
        return False
    return True


# (b) the outbox


class Receiver:
    """Counts POSTs per Idempotency-Key and per draft; answers after `slow` seconds."""

    def __init__(self, slow: float) -> None:
        self.slow = slow
        self.lock = threading.Lock()
        self.posts: list[tuple[float, str, int]] = []  # (time, key, draft id)
        self.in_flight: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers["Idempotency-Key"]
                with receiver.lock:
                    receiver.posts.append((time.monotonic(), key, body["draft_id"]))
                    receiver.in_flight[key] = time.monotonic()
                time.sleep(receiver.slow)
                answer = b'{"url": "https://x.com/northwind/status/1"}'
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the worker was killed while waiting for this answer
                finally:
                    with receiver.lock:
                        receiver.in_flight.pop(key, None)

            def log_message(self, *args) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", HOOK_PORT), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def publish_replies(database_url: str, count: int) -> None:
    """N replies on X approved and published through the workflow's operations, in this
    process against the same database (a clock an hour behind while they cool off)."""
    from app import create_app
    from app.core.clock import FrozenClock, utcnow
    from app.services import Services

    clock = FrozenClock(utcnow() - timedelta(hours=1))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": BENCH_SECRET_KEY,  # the same audit key as the web and workers
            "PUBLISHERS": {"x": "webhook"},
            "CLOCK": clock,
            "ANALYSIS_WARM_UP": False,
        }
    )
    from app.accounts import operations as accounts
    from app.complaints import intake
    from app.drafts import operations, workflow
    from app.drafts.models import Draft
    from app.drafts.workflow import Action
    from app.extensions import db

    with app.app_context():
        agent = accounts.find_user(db.session, "agent@faults.example")
        reviewer = accounts.find_user(db.session, "reviewer@faults.example")
        services = Services.of(app, db.session)
        drafts = []
        for n in range(count):
            valid = intake.validate(
                intake.ComplaintInput(
                    channel="x",
                    text=f"@NorthwindHome parcel NW-{n} is a week late, where is it?",
                    external_id=f"reply-{n}",
                    author_handle=f"@customer{n}",
                ),
                intake.load_channels(db.session),
                now=clock.now(),
                max_chars=50_000,
            )
            complaint = intake.register(db.session, valid, actor=None, now=clock.now()).complaint
            draft = operations.start_draft(
                db.session,
                complaint,
                services.compose_draft(complaint, agent),
                tone=services.tone_setting(complaint),
                actor=agent,
                now=clock.now(),
            ).draft
            db.session.commit()
            policy = services.workflow_policy
            for action, actor in ((Action.SUBMIT, agent), (Action.APPROVE, reviewer)):
                workflow.transition(
                    db.session,
                    draft,
                    action,
                    actor=actor,
                    now=clock.now(),
                    policy=policy,
                    revision_number=draft.current_revision,
                )
                db.session.commit()
            drafts.append(draft.id)
        clock.set(utcnow())
        for draft_id in drafts:
            draft = db.session.get(Draft, draft_id)
            workflow.publish(
                db.session,
                draft,
                actor=agent,
                now=clock.now(),
                revision_number=draft.current_revision,
                policy=services.workflow_policy,
            )
            db.session.commit()
        db.engine.dispose()


def delivered(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT count(*) FROM publications WHERE status = 'delivered'")
        ).scalar()


def outbox_fault(
    env: dict, engine: sa.Engine, folder: Path, replies: int, slow: float
) -> tuple[list, bool]:
    publish_replies(env["DATABASE_URL"], replies)
    receiver = Receiver(slow)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "run", "--only", "outbox"]
    worker = start(command, env, folder / "worker-outbox.log")
    try:
        # Kill it while a POST is in flight, about a third of the way through.
        def in_flight_late_enough():
            with receiver.lock:
                if len(receiver.posts) >= replies // 3 and receiver.in_flight:
                    return next(iter(receiver.in_flight))
            return None

        killed_key = wait_for(in_flight_late_enough, 300, 0.01, "a POST in flight")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        killed = time.monotonic()
        worker = start(command, env, folder / "worker-outbox.log")
        wait_for(lambda: delivered(engine) >= replies, 300, 0.2, "every delivery")
    finally:
        stop(worker)
        receiver.close()
    with engine.connect() as connection:
        states = dict(
            connection.execute(
                sa.text("SELECT status, count(*) FROM publications GROUP BY status")
            ).all()
        )
        keys = dict(
            connection.execute(sa.text("SELECT draft_id, idempotency_key FROM publications")).all()
        )
    per_key: dict[str, int] = {}
    keys_per_draft: dict[int, set[str]] = {}
    for _, key, draft_id in receiver.posts:
        per_key[key] = per_key.get(key, 0) + 1
        keys_per_draft.setdefault(draft_id, set()).add(key)
    repeats = {key: n for key, n in per_key.items() if n > 1}
    twice_other_key = [d for d, ks in keys_per_draft.items() if len(ks) > 1 or keys[d] not in ks]
    again = [t for t, key, _ in receiver.posts if key == killed_key and t > killed]
    waited = again[0] - killed if again else None
    missing = [d for d in keys if d not in keys_per_draft]
    ok = states.get("delivered", 0) == replies and not twice_other_key and not missing
    return [
        ["outbox: publications", f"{replies}", ""],
        ["outbox: delivered", f"{states.get('delivered', 0)} ({states})", "ok" if ok else "LOST"],
        ["outbox: POSTs received", f"{len(receiver.posts)}", ""],
        [
            "outbox: repeated POSTs (same key)",
            ", ".join(f"{k[:8]}… ×{n}" for k, n in repeats.items()) or "none",
            "ok",
        ],
        [
            "outbox: replies posted under another key",
            str(len(twice_other_key)),
            "ok" if not twice_other_key else "DUPLICATE",
        ],
        ["outbox: replies never posted", str(len(missing)), "ok" if not missing else "LOST"],
        [
            "outbox: the row in flight at the kill",
            f"posted again {waited:.1f} s after the kill (same key)"
            if waited is not None
            else "not posted again (its result was recorded before the kill)",
            "ok",
        ],
    ], ok


def one_backend(name: str, database_url: str | None, args) -> tuple[list[list], bool]:
    with tempfile.TemporaryDirectory(prefix="composure-faults-") as folder:
        base = Path(folder)
        env = environment(base, database_url)
        flask(env, "db", "upgrade")
        for email, roles in (
            ("agent@faults.example", ("agent", "admin")),
            ("reviewer@faults.example", ("reviewer",)),
        ):
            role_args = [arg for role in roles for arg in ("--role", role)]
            flask(env, "users", "create", "--email", email, "--name", email.split("@")[0],
                  *role_args, "--password", PASSWORD)  # fmt: skip
        engine = sa.create_engine(env["DATABASE_URL"])
        try:
            rows_a, ok_a = import_fault(env, engine, base, args.rows)
            rows_b, ok_b = outbox_fault(env, engine, base, args.replies, args.slow)
        finally:
            engine.dispose()
        return [[name, *row] for row in rows_a + rows_b], ok_a and ok_b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=30)
    parser.add_argument("--slow", type=float, default=0.3, help="seconds per webhook answer")
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may CREATE DATABASE")
    args = parser.parse_args()
    # Before the app's configuration is first imported (in `publish_replies`): no key file
    # written beside the repository's own instance.
    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    os.environ["COMPOSURE_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="composure-faults-")
    started = time.monotonic()
    rows, ok = one_backend("sqlite", None, args)
    if args.postgres:
        url = sa.make_url(args.postgres.replace("postgresql://", "postgresql+psycopg://", 1))
        name = "composure_faults_workers"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            pg_rows, pg_ok = one_backend(
                "postgresql", url.set(database=name).render_as_string(hide_password=False), args
            )
            rows += pg_rows
            ok = ok and pg_ok
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    table(
        f"Faults: kill -9 mid-import and mid-delivery ({time.monotonic() - started:.0f} s)",
        ["database", "check", "result", ""],
        rows,
        note="ok: nothing lost, no reply posted under two keys. LOST/DUPLICATE: a failure.",
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
