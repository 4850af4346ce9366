"""N clients for T seconds against the production server, on SQLite and on PostgreSQL.

    .venv/bin/python bench/load.py [--clients 20] [--seconds 60]
        [--postgres postgresql+psycopg://user:pass@host/db] [--backends sqlite,postgresql]
        [--server-command "gunicorn ... -b 127.0.0.1:{port} wsgi:app"] [--port 8161]

For each backend: a fresh instance folder in /tmp (and, on PostgreSQL, a fresh database
created with the role of `--postgres`, which needs CREATEDB), migrated, with the demo data
and, per client, an agent and a reviewer with API tokens (seeded in a child process with
the app's own domain code); the server started with `--server-command` (`{port}` is
replaced; default: `make serve`'s gunicorn and config, 4 workers of 4 threads, in
production mode with its rate limits); then `--clients` threads for
`--seconds`, each with its own signed-in session (pages, CSRF) and its own tokens (API),
in a closed loop (`--think` seconds between requests) mixing
- reads: the inbox page, a complaint's page, the API's list and one complaint;
- tone checks: the editor's live check (POST /drafts/<id>/check) and the API's;
- the whole workflow through the API: a new complaint, its draft, an edit, submit, the
  client's reviewer approves (sign-off given when one is asked for), and once cooling-off
  is over (`--cooling-off`, default the floor of 60 s: COOLING_OFF_* set in the server's
  environment) the publication, by hand (the manual channel).
Drafts still cooling off when the time is up are published after it (the "drain"; those
requests count too). Then the server stops and the check: every complaint and draft a
client got a 2xx for exists, each draft in the state last answered, and `flask audit
verify` passes. Prints a table per backend (per kind of request: count, per second,
p50/p95/p99 ms, errors) and the PostgreSQL/SQLite ratio of the medians; exits 1 on any
error, anything lost or an audit break. Removes its folders and databases and stops its
server (and the server's children) on exit, whatever happens.

`--probe` serves `bench.load_probe:app` instead of `wsgi:app`: the same app, counting per
request the SQL statements, their time, the pool's checkouts, its waits and the
connections it opens (see README "Load and reliability figures").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import p99, percentile, table  # noqa: E402

#: The production command (`make serve`'s gunicorn, its config: 4 workers of 4 threads,
#: preloaded), on the bench's port.
DEFAULT_SERVER = (
    ".venv/bin/gunicorn --config python:app.serving.gunicorn_config --bind 127.0.0.1:{port} "
    "wsgi:app"
)
PASSWORD = "load-bench-password-1"  # noqa: S105 - throwaway users of a tmp database
#: What the clients send through the workflow: calm complaints (no flag that needs
#: sign-off, though sign-off is given when asked) in the languages with reply templates.
COMPLAINTS = [
    ("x", "@NorthwindHome my parcel was due on Monday and it still hasn't arrived. Any news?"),
    ("x", "@NorthwindHome the app keeps logging me out every time I open my basket. Annoying."),
    ("email", "Hello, the lamp I ordered arrived with a cracked shade. Can you send a new one?"),
    ("facebook", "Waited 40 minutes on hold today and nobody picked up. Not great, Northwind."),
    ("x", "@NorthwindHome mijn pakket is nog steeds niet bezorgd, al een week te laat."),
    ("email", "Hallo, die Lieferung kam ohne Schrauben an. Könnt ihr sie bitte nachschicken?"),
]
REPLIES = [
    "Sorry your parcel is late. I've checked and it's with the courier; I'll update you by 5pm.",
    "Thanks for telling us about the app. We're fixing the log-out bug and will let you know.",
    "I'm sorry the shade arrived cracked. A new one is on its way; reply here if it isn't.",
]


# ---------------------------------------------------------------- the server's side


def seed(clients: int) -> None:
    """In the server's environment: migrate, the demo, an agent and a reviewer with API
    tokens per client, tokens for the demo's sign-off people. Prints them as JSON."""
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts import operations
    from app.accounts.models import Role
    from app.core.clock import utcnow
    from app.demo import load_demo
    from app.extensions import db

    app = create_app({"ANALYSIS_WARM_UP": False})
    seeded: dict = {"clients": [], "signoff": {}}
    with app.app_context():
        upgrade()
        now = utcnow()
        load_demo(db.session, now=now)
        db.session.commit()

        def token(user) -> str:
            return operations.create_api_token(
                db.session, user=user, name="load", actor=None, now=now
            )[1]

        for number in range(clients):
            people = {}
            for role in (Role.AGENT, Role.REVIEWER):
                people[role] = operations.create_user(
                    db.session,
                    email=f"load-{role.value}-{number}@example.com",
                    name=f"Load {role.value.title()} {number}",
                    roles={role},
                    password=PASSWORD,
                    actor=None,
                    now=now,
                )
            db.session.flush()
            seeded["clients"].append(
                {
                    "email": people[Role.AGENT].email,
                    "token": token(people[Role.AGENT]),
                    "reviewer_token": token(people[Role.REVIEWER]),
                }
            )
        for email, group in (("signoff@example.com", "legal"), ("pr@example.com", "pr")):
            seeded["signoff"][group] = token(operations.find_user(db.session, email))
        db.session.commit()
    print(json.dumps(seeded))


def verify(expected_file: str) -> None:
    """In the server's environment: what the clients were told exists, as they were told."""
    from app import create_app
    from app.complaints.models import Complaint
    from app.drafts.models import Draft
    from app.extensions import db

    expected = json.loads(Path(expected_file).read_text())
    app = create_app({"ANALYSIS_WARM_UP": False})
    problems = []
    with app.app_context():
        for complaint_id in expected["complaints"]:
            if db.session.get(Complaint, complaint_id) is None:
                problems.append(f"complaint #{complaint_id} is missing")
        for draft_id, state in expected["drafts"].items():
            draft = db.session.get(Draft, int(draft_id))
            if draft is None:
                problems.append(f"draft #{draft_id} is missing")
            elif draft.state.value != state:
                problems.append(f"draft #{draft_id} is {draft.state.value}, answered {state}")
    print(json.dumps({"problems": problems}))


# ---------------------------------------------------------------- the clients' side


@dataclass
class Tally:
    """Every request's time and outcome, by kind; what the clients were told was made."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    retried: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    complaints: set[int] = field(default_factory=set)
    drafts: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, problem: str | None) -> None:
        with self.lock:
            if problem is None:
                self.times[kind].append(seconds)
            else:
                self.errors[kind].append(problem)


def csrf_of(html: str) -> str:
    field_ = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', field_).group(1)


class Client:
    def __init__(self, base: str, number: int, seeded: dict, signoff: dict, tally: Tally):
        self.base, self.number, self.tally, self.signoff = base, number, tally, signoff
        self.rng = random.Random(number)
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {seeded['token']}"
        self.reviewer = {"Authorization": f"Bearer {seeded['reviewer_token']}"}
        self.pages = requests.Session()
        token = csrf_of(self.pages.get(base + "/login", timeout=30).text)
        signed_in = self.pages.post(
            base + "/login",
            data={"email": seeded["email"], "password": PASSWORD, "csrf_token": token},
            timeout=30,
        )
        signed_in.raise_for_status()
        self.csrf = csrf_of(signed_in.text)
        self.complaint_ids: list[int] = []
        #: (due, draft id, revision) of drafts waiting for cooling-off to end.
        self.waiting: list[tuple[float, int, int]] = []
        self.made = 0
        self.typing_draft: int | None = None

    def call(self, kind: str, method: str, path: str, *, session=None, **kwargs):
        """One timed request; its JSON on a 2xx, else None (counted as an error)."""
        session = session or self.api
        kwargs["headers"] = {**kwargs.get("headers", {}), "X-Load-Kind": kind}
        started = time.perf_counter()
        try:
            try:
                response = session.request(method, self.base + path, timeout=60, **kwargs)
            except requests.ConnectionError:
                # A kept-alive connection the server closed as it was reused (gunicorn closes
                # idle ones after 2 s): sent again once, and counted. Safe for every request
                # here: publish is idempotent, a complaint's external id and a complaint's
                # one draft in the works are too; the check afterwards would see a double.
                with self.tally.lock:
                    self.tally.retried[kind] += 1
                started = time.perf_counter()
                response = session.request(method, self.base + path, timeout=60, **kwargs)
        except requests.RequestException as problem:
            self.tally.record(kind, 0, type(problem).__name__)
            return None
        elapsed = time.perf_counter() - started
        if not 200 <= response.status_code < 300:
            self.tally.record(kind, elapsed, f"{response.status_code} {response.text[:200]}")
            return None
        self.tally.record(kind, elapsed, None)
        is_json = response.headers.get("Content-Type", "").startswith("application/json")
        return response.json() if is_json else {}

    def prepare(self) -> None:
        """Complaint ids to read, and a draft of this client's own to type into."""
        listed = self.call("api: list complaints", "GET", "/api/v1/complaints")
        self.complaint_ids = [item["id"] for item in (listed or {}).get("items", [])] or [1]
        self.start_workflow(typing=True)

    # reads
    def inbox(self):
        self.call("page: inbox", "GET", "/", session=self.pages)

    def complaint_page(self):
        complaint = self.rng.choice(self.complaint_ids)
        self.call("page: complaint", "GET", f"/complaints/{complaint}", session=self.pages)

    def api_list(self):
        self.call("api: list complaints", "GET", "/api/v1/complaints")

    def api_get(self):
        complaint = self.rng.choice(self.complaint_ids)
        self.call("api: get complaint", "GET", f"/api/v1/complaints/{complaint}")

    # tone checks
    def live_check(self):
        if self.typing_draft is None:
            return
        text = self.rng.choice(REPLIES)
        typed = text[: self.rng.randint(20, len(text))]
        self.call(
            "live check (editor)",
            "POST",
            f"/drafts/{self.typing_draft}/check",
            session=self.pages,
            json={"parts": {"validate": typed}},
            headers={"X-CSRFToken": self.csrf},
        )

    def api_check(self):
        text = self.rng.choice(REPLIES)
        self.call(
            "api: tone check", "POST", "/api/v1/tone-check", json={"text": text, "channel": "x"}
        )

    # the workflow
    def start_workflow(self, typing: bool = False):
        channel, text = COMPLAINTS[self.made % len(COMPLAINTS)]
        self.made += 1
        complaint = self.call(
            "workflow: new complaint",
            "POST",
            "/api/v1/complaints",
            json={
                "channel": channel,
                "text": f"{text} (#{self.number}-{self.made})",
                "external_id": f"load-{self.number}-{self.made}-{time.time_ns()}",
                "author_handle": f"@load{self.number}",
            },
        )
        if complaint is None:
            return
        with self.tally.lock:
            self.tally.complaints.add(complaint["id"])
        draft = self.call(
            "workflow: new draft", "POST", f"/api/v1/complaints/{complaint['id']}/drafts", json={}
        )
        if draft is None:
            return
        self.told(draft)
        if typing:
            self.typing_draft = draft["id"]
            return
        path = f"/api/v1/drafts/{draft['id']}"
        edited = self.call(
            "workflow: edit",
            "PATCH",
            path,
            json={
                "revision": draft["revision"],
                "parts": {"close_loop": "I'll update you by 5pm today."},
            },
        )
        if edited is None:
            return
        self.told(edited)
        revision = edited["revision"]
        submitted = self.call(
            "workflow: submit", "POST", f"{path}/submit", json={"revision": revision}
        )
        if submitted is None:
            return
        self.told(submitted)
        approved = self.call(
            "workflow: approve",
            "POST",
            f"{path}/approve",
            json={"revision": revision},
            headers=self.reviewer,
        )
        if approved is None:
            return
        self.told(approved)
        for group in approved.get("missing_signoff") or []:
            signed = self.call(
                "workflow: sign-off",
                "POST",
                f"{path}/sign-off",
                json={"revision": revision, "group": group},
                headers={"Authorization": f"Bearer {self.signoff[group]}"},
            )
            if signed is not None:
                self.told(signed)
        due = datetime.fromisoformat(approved["cooling_off_until"]).timestamp() + 0.5
        self.waiting.append((due, draft["id"], revision))

    def told(self, draft: dict) -> None:
        with self.tally.lock:
            self.tally.drafts[draft["id"]] = draft["state"]

    def publish_due(self, until: float | None = None) -> bool:
        """Publish the first draft whose cooling-off is over; False when none is."""
        now = time.time()
        for item in sorted(self.waiting):
            due, draft_id, revision = item
            if due <= now:
                self.waiting.remove(item)
                published = self.call(
                    "workflow: publish",
                    "POST",
                    f"/api/v1/drafts/{draft_id}/publish",
                    json={"revision": revision},
                )
                if published is not None:
                    self.told(published)
                return True
        return False

    ACTIONS = (
        (inbox, 12),
        (complaint_page, 12),
        (api_list, 12),
        (api_get, 12),
        (live_check, 16),
        (api_check, 12),
        (start_workflow, 24),
    )

    def run(self, until: float, think: float) -> None:
        actions, weights = zip(*self.ACTIONS, strict=True)
        while time.monotonic() < until:
            if not self.publish_due():
                self.rng.choices(actions, weights)[0](self)
            if think:
                time.sleep(self.rng.uniform(0.5 * think, 1.5 * think))

    def drain(self, deadline: float) -> None:
        while self.waiting and time.time() < deadline:
            if not self.publish_due():
                time.sleep(0.2)


# ---------------------------------------------------------------- one backend's run


def _fresh_postgres(url: str) -> tuple[str, str]:
    """A new database next to the one in `url` (the same role creates it): (its URL, name)."""
    import psycopg

    name = f"composure_load_reliability_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name)), name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq(url: str) -> str:
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def _run_child(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, __file__, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


class Server:
    """The server as its own process group, so that stopping it stops its workers too."""

    def __init__(self, command: list[str], env: dict, port: int, log: Path):
        self.port, self.log = port, log
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 180) -> str:
        base = f"http://127.0.0.1:{self.port}"
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(base + "/login", timeout=5).status_code == 200:
                    return base
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the server did not answer in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Outcome:
    backend: str
    tally: Tally
    seconds: float
    lost: list[str]
    audit: str
    audit_ok: bool
    probe: list[dict]
    tracebacks: list[str]


def run_backend(backend: str, args, cleanup: list) -> Outcome:
    folder = Path(tempfile.mkdtemp(prefix=f"composure-load-{backend}-"))
    cleanup.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    env = {
        **os.environ,
        "COMPOSURE_INSTANCE_DIR": str(folder),
        # As `make serve` runs it: production settings, rate limits and request log on.
        "COMPOSURE_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "BASE_URL": f"http://127.0.0.1:{args.port}",
        "COOLING_OFF_BASE_SECONDS": "0",
        "COOLING_OFF_HOT_EXTRA_SECONDS": "0",
        "COOLING_OFF_WARN_EXTRA_SECONDS": "0",
        "COOLING_OFF_FLOOR_SECONDS": str(args.cooling_off),
        "IMPORTS_IN_BACKGROUND": "0",
        "PYTHONPATH": str(ROOT),
        "LOAD_PROBE_FILE": str(folder / "probe.jsonl"),
    }
    env.pop("DATABASE_URL", None)
    if backend == "postgresql":
        url, name = _fresh_postgres(args.postgres)
        cleanup.append(lambda: _drop_postgres(args.postgres, name))
        env["DATABASE_URL"] = url
    print(f"[{backend}] seeding {args.clients} clients in {folder}", file=sys.stderr, flush=True)
    seeded = json.loads(_run_child(env, "_seed", str(args.clients)))
    port = args.port
    if not _port_free(port):
        raise RuntimeError(f"port {port} is taken; choose another with --port")
    command = args.server_command.replace("{port}", str(port))
    if args.probe:
        command = command.replace("wsgi:app", "bench.load_probe:app")
        # The probe wraps the pool of the engine it finds at import: each worker imports it
        # (preloaded, the master's pool would be replaced after the fork).
        env["WEB_PRELOAD"] = "0"
    server = Server(shlex.split(command), env, port, folder / "server.log")
    cleanup.append(server.stop)
    base = server.wait_ready()
    print(f"[{backend}] serving at {base}: {command}", file=sys.stderr, flush=True)
    tally = Tally()
    clients = [
        Client(base, n, seeded["clients"][n], seeded["signoff"], tally) for n in range(args.clients)
    ]
    for client in clients:
        client.prepare()
    # Warm every worker's caches (first requests compile templates), then start afresh.
    _threads([lambda c=c: c.run(time.monotonic() + 3, 0) for c in clients])
    for client in clients:
        client.waiting.clear()  # left approved: the check below finds them so
    tally.times.clear()
    tally.errors.clear()
    tally.retried.clear()
    if args.probe:
        Path(env["LOAD_PROBE_FILE"]).unlink(missing_ok=True)
    print(
        f"[{backend}] {args.clients} clients for {args.seconds:.0f} s", file=sys.stderr, flush=True
    )
    until = time.monotonic() + args.seconds
    started = time.perf_counter()
    _threads([lambda c=c: c.run(until, args.think) for c in clients])
    seconds = time.perf_counter() - started
    print(f"[{backend}] publishing what is still cooling off", file=sys.stderr, flush=True)
    deadline = time.time() + args.cooling_off + 30
    _threads([lambda c=c: c.drain(deadline) for c in clients])
    left = sum(len(c.waiting) for c in clients)
    server.stop()
    log = server.log.read_text(errors="replace")
    if tally.errors or tally.retried:  # kept for a look after the folder is gone
        shutil.copy(server.log, Path(tempfile.gettempdir()) / f"composure-load-{backend}.log")
    tracebacks = [block[:3000] for block in re.findall(r"Traceback.*?(?=\n\S*\[|\Z)", log, re.S)]
    if "WORKER TIMEOUT" in log:
        tracebacks.append(f"gunicorn: {log.count('WORKER TIMEOUT')} worker timeouts")
    expected = folder / "expected.json"
    expected.write_text(
        json.dumps(
            {
                "complaints": sorted(tally.complaints),
                "drafts": {str(k): v for k, v in tally.drafts.items()},
            }
        )
    )
    lost = json.loads(_run_child(env, "_verify", str(expected)))["problems"]
    if left:
        lost.append(f"{left} drafts still waiting to be published")
    audit = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    probe = []
    if args.probe and Path(env["LOAD_PROBE_FILE"]).exists():
        probe = [
            json.loads(line)
            for line in Path(env["LOAD_PROBE_FILE"]).read_text().splitlines()
            if line
        ]
    return Outcome(
        backend,
        tally,
        seconds,
        lost,
        (audit.stdout + audit.stderr).strip(),
        audit.returncode == 0,
        probe,
        tracebacks,
    )


def _threads(targets) -> None:
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# ---------------------------------------------------------------- the report


def _ms(value: float) -> str:
    return f"{value * 1000:.0f}"


def print_backend(outcome: Outcome, args) -> None:
    tally = outcome.tally
    kinds = sorted(set(tally.times) | set(tally.errors))
    rows = []
    everything = [t for kind in kinds for t in tally.times[kind]]
    for kind in [*kinds, "all"]:
        times = everything if kind == "all" else tally.times[kind]
        errors = (
            sum(len(v) for v in tally.errors.values()) if kind == "all" else len(tally.errors[kind])
        )
        rows.append(
            [
                kind,
                len(times),
                f"{len(times) / outcome.seconds:.1f}",
                _ms(statistics.median(times)) if times else "-",
                _ms(percentile(times, 0.95)) if times else "-",
                _ms(p99(times)) if times else "-",
                errors,
                sum(tally.retried.values()) if kind == "all" else tally.retried[kind],
            ]
        )
    table(
        f"{outcome.backend}: {args.clients} clients for {outcome.seconds:.0f} s (+ the drain's "
        f"publications), {os.cpu_count()} cores",
        ["request", "count", "per s", "p50 ms", "p95 ms", "p99 ms", "errors", "resent"],
        rows,
        "resent: connection closed as it was reused, sent again once (not an error)",
    )
    for kind, problems in tally.errors.items():
        for problem in problems[:3]:
            print(f"  error, {kind}: {problem}")
    print(
        f"created: {len(tally.complaints)} complaints, {len(tally.drafts)} drafts "
        f"({sum(1 for s in tally.drafts.values() if s == 'published')} published); "
        f"lost or changed: {len(outcome.lost)}"
    )
    for problem in outcome.lost[:10]:
        print(f"  {problem}")
    print(f"flask audit verify: {outcome.audit}")
    for block in outcome.tracebacks[-3:]:
        print("server error:\n  " + block.strip().replace("\n", "\n  "))
    if outcome.probe:
        print_probe(outcome)


def print_probe(outcome: Outcome) -> None:
    by_kind = defaultdict(list)
    for item in outcome.probe:
        by_kind[item.get("kind") or "other"].append(item)
    rows = []
    for kind, items in sorted(by_kind.items()):

        def median(key: str, items=items) -> float:
            return statistics.median(item[key] for item in items)

        rows.append(
            [
                kind,
                len(items),
                _ms(median("seconds")),
                _ms(median("db_seconds")),
                f"{median('queries'):.0f}",
                f"{median('checkouts'):.0f}",
                f"{1000 * median('pool_wait'):.1f}",
                sum(item["connects"] for item in items),
                _ms(median("chain_lock_wait")),
                _ms(median("chain_lock_held")),
            ]
        )
    table(
        f"{outcome.backend}, inside the server (medians per request; --probe)",
        [
            "request",
            "count",
            "in app ms",
            "in SQL ms",
            "statements",
            "checkouts",
            "pool wait ms",
            "connects",
            "chain lock wait ms",
            "chain lock held ms",
        ],
        rows,
    )


def print_ratio(outcomes: dict[str, Outcome]) -> None:
    sqlite, postgres = outcomes["sqlite"].tally, outcomes["postgresql"].tally
    rows = []
    for kind in sorted(set(sqlite.times) & set(postgres.times)):
        lite, pg = statistics.median(sqlite.times[kind]), statistics.median(postgres.times[kind])
        rows.append([kind, _ms(lite), _ms(pg), f"{pg / lite:.2f}"])
    lite = statistics.median([t for v in sqlite.times.values() for t in v])
    pg = statistics.median([t for v in postgres.times.values() for t in v])
    rows.append(["all", _ms(lite), _ms(pg), f"{pg / lite:.2f}"])
    table(
        "PostgreSQL against SQLite in the same run: medians",
        ["request", "SQLite p50 ms", "PostgreSQL p50 ms", "PostgreSQL/SQLite"],
        rows,
        "target: within 1.5×",
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_seed":
        seed(int(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_verify":
        verify(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL", ""),
        help="a database URL whose role may CREATE DATABASE (default: $TEST_POSTGRES_URL)",
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--server-command", default=DEFAULT_SERVER, help="{port} is replaced")
    parser.add_argument("--port", type=int, default=8161)
    parser.add_argument("--think", type=float, default=0.0, help="seconds between requests")
    parser.add_argument("--cooling-off", type=int, default=60, help="seconds (60 at least)")
    parser.add_argument("--probe", action="store_true", help="count SQL and pool use per request")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in backends and not args.postgres:
        parser.error("PostgreSQL needs --postgres URL (or TEST_POSTGRES_URL)")
    cleanup: list = []

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    outcomes: dict[str, Outcome] = {}
    try:
        for backend in backends:
            outcomes[backend] = run_backend(backend, args, cleanup)
            for undo in reversed(cleanup):
                undo()
            cleanup.clear()
    finally:
        for undo in reversed(cleanup):
            try:
                undo()
            except Exception as problem:  # noqa: BLE001 - clean up the rest regardless
                print(f"cleanup: {problem}", file=sys.stderr)
    for outcome in outcomes.values():
        print_backend(outcome, args)
    if len(outcomes) == 2:
        print_ratio(outcomes)
    failed = [
        outcome.backend
        for outcome in outcomes.values()
        if sum(len(v) for v in outcome.tally.errors.values())
        or outcome.lost
        or not outcome.audit_ok
    ]
    verdict = "OK: 0 errors, nothing lost, audit verifies"
    print(f"\n{'FAILED: ' + ', '.join(failed) if failed else verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
