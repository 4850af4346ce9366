"""The editor's live tone check under load: 20 agents typing at once, on this machine.

    .venv/bin/python bench/tone_load.py [--typists 20] [--seconds 30]

Serves the app with demo data on 127.0.0.1 (a throwaway SQLite database) with waitress, as
a small team would run it, starts a draft per typist and has each one "type" a real brand
reply from ../shared/data/twcs_sample: every 300-500 ms (the editor's debounce plus typing
pauses) the text grows by a few words and is posted to /drafts/<id>/check, as the editor's
script does. Prints latency (median, p95, p99) and throughput, beside one typist alone in
the same run as the baseline, and the worker's memory (resident now and at its peak, from
/proc) with the pipelines, rules and models loaded. Target: p95 under 30 ms with 20
typists. Only loopback traffic; every loop is bounded in time and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.demo_server import demo_server, waitress_server  # noqa: E402
from bench.report import percentile, table  # noqa: E402
from bench.tone_speed import replies  # noqa: E402

AGENT = ("agent@example.com", "agent-demo-1")


def csrf_of(html: str) -> str:
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def sign_in(base: str) -> requests.Session:
    session = requests.Session()
    token = csrf_of(session.get(base + "/login", timeout=10).text)
    response = session.post(
        base + "/login",
        data={"email": AGENT[0], "password": AGENT[1], "csrf_token": token},
        timeout=10,
    )
    response.raise_for_status()
    return session


def start_drafts(base: str, session: requests.Session, count: int) -> list[tuple[str, str]]:
    """(check URL, CSRF token) for a draft on each of `count` demo complaints."""
    drafts = []
    complaint = 0
    while len(drafts) < count and complaint < 200:
        complaint += 1
        page = session.get(f"{base}/complaints/{complaint}", timeout=10)
        if page.status_code != 200:
            continue
        started = session.post(
            f"{base}/complaints/{complaint}/drafts",
            data={"csrf_token": csrf_of(page.text)},
            timeout=30,
        )
        match = re.search(r"/drafts/(\d+)", started.url)
        if match:
            drafts.append((f"{base}/drafts/{match.group(1)}/check", csrf_of(started.text)))
    return drafts


def typist(session, url, token, text, until, latencies, errors, seed) -> None:
    rng = random.Random(seed)
    words = text.split()
    typed = 1
    while time.monotonic() < until:
        parts = {"validate": " ".join(words[:typed]), "close_loop": "We'll update you by Friday."}
        started = time.perf_counter()
        try:
            response = session.post(
                url, json={"parts": parts}, headers={"X-CSRFToken": token}, timeout=10
            )
            elapsed = time.perf_counter() - started
            if response.status_code == 200 and "findings" in response.json():
                latencies.append(elapsed)
            else:
                errors.append(response.status_code)
        except requests.RequestException as problem:
            errors.append(type(problem).__name__)
        typed = typed % len(words) + rng.randint(1, 3)
        time.sleep(rng.uniform(0.3, 0.5))


def run(session, drafts, texts, typists: int, seconds: float) -> tuple[list[float], list]:
    latencies: list[float] = []
    errors: list = []
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=typist,
            args=(session, *drafts[i % len(drafts)], texts[i], until, latencies, errors, i),
        )
        for i in range(typists)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def row(label: str, latencies: list[float], errors: list, seconds: float) -> list:
    return [
        label,
        len(latencies),
        f"{len(latencies) / seconds:.1f}",
        f"{statistics.median(latencies) * 1000:.1f}",
        f"{percentile(latencies, 0.95) * 1000:.1f}",
        f"{percentile(latencies, 0.99) * 1000:.1f}",
        len(errors),
    ]


def memory_mb(pid: int) -> dict[str, float]:
    """The process's resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {
        name: int(re.search(rf"^{name}:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024
        for name in ("VmRSS", "VmHWM")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--typists", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    texts = [text for text, _ in replies() if len(text) > 80][: args.typists]
    servers = []
    with demo_server(waitress_server, servers.append) as base:
        session = sign_in(base)
        drafts = start_drafts(base, session, args.typists)
        run(session, drafts, texts, 2, 3)  # warm the server's caches
        loaded = memory_mb(servers[0].pid)
        alone = run(session, drafts, texts, 1, args.seconds / 2)
        crowd = run(session, drafts, texts, args.typists, args.seconds)
        after = memory_mb(servers[0].pid)
    table(
        f"live tone check, POST /drafts/<id>/check on waitress (8 threads), {os.cpu_count()} cores",
        ["typists", "checks", "checks/s", "median ms", "p95 ms", "p99 ms", "errors"],
        [
            row("1 (baseline)", *alone, args.seconds / 2),
            row(str(args.typists), *crowd, args.seconds),
        ],
        f"p95 with {args.typists} typists: {percentile(crowd[0], 0.95) * 1000:.1f} ms "
        f"({percentile(crowd[0], 0.95) / percentile(alone[0], 0.95):.1f}× one typist); "
        "target under 30 ms",
    )
    table(
        "the worker's memory (waitress, one process, pipelines, rules and models loaded)",
        ["when", "resident MB", "peak MB"],
        [
            ["warm, before the typists", f"{loaded['VmRSS']:.0f}", f"{loaded['VmHWM']:.0f}"],
            ["after the typists", f"{after['VmRSS']:.0f}", f"{after['VmHWM']:.0f}"],
        ],
    )


if __name__ == "__main__":
    main()
