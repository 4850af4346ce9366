"""gunicorn's start-up and memory with and without preloading the app, on this machine.

    .venv/bin/python bench/serve_start.py [--workers 4] [--port 8101]

Migrates a throwaway SQLite database, then starts the production command
(`gunicorn --config python:app.serving.gunicorn_config wsgi:app`) twice, with
WEB_PRELOAD=1 and =0, and prints for each: seconds until /healthz first answers, seconds
until every worker has finished loading (its CPU time stopped growing), and the memory of
the master and workers summed, as RSS (shared pages counted in every process) and as PSS
(shared pages divided among the processes that share them: what they really use), from
/proc/<pid>/smaps_rollup. Linux only; loopback only; each server is stopped (SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return tuple(
        int(re.search(rf"^{name}:\s+(\d+)", text, re.M).group(1)) for name in ("Rss", "Pss")
    )


def children(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(number) for number in found.stdout.split()]


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def serve(env: dict, workers: int, port: int) -> dict:
    started = time.monotonic()
    command = [str(BIN / "gunicorn"), "--config", "python:app.serving.gunicorn_config", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()  # noqa: S310
                break
            except OSError:
                if server.poll() is not None or time.monotonic() - started > 300:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.1)
        first = time.monotonic() - started
        before = None
        while True:  # every worker loaded: all of them there and none using CPU any more
            kids = children(server.pid)
            now = [cpu_ticks(kid) for kid in kids] if len(kids) == workers else None
            if now is not None and now == before:
                break
            before = now
            time.sleep(0.5)
        ready = time.monotonic() - started - 0.5
        usage = [memory_kb(pid) for pid in [server.pid, *children(server.pid)]]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
    return {
        "first": first,
        "ready": ready,
        "rss": sum(rss for rss, _ in usage) / 1024,
        "pss": sum(pss for _, pss in usage) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="composure-serve-") as scratch:
        env = {
            **os.environ,
            "COMPOSURE_ENV": "production",
            "COMPOSURE_INSTANCE_DIR": scratch,
            "SECRET_KEY": secrets.token_hex(32),
            "BASE_URL": "http://127.0.0.1",
            "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3",
            "BIND": f"127.0.0.1:{args.port}",
            "WEB_CONCURRENCY": str(args.workers),
        }
        subprocess.run(  # noqa: S603
            [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env={**env, "ANALYSIS_WARM_UP": "0"},
            check=True,
            capture_output=True,
        )
        print(f"{args.workers} workers, load average {os.getloadavg()[0]:.1f}")
        print("| WEB_PRELOAD | first /healthz | all workers ready | PSS summed | RSS summed |")
        print("|---|---|---|---|---|")
        for preload in ("1", "0"):
            found = serve({**env, "WEB_PRELOAD": preload}, args.workers, args.port)
            print(
                f"| {preload} | {found['first']:.1f} s | {found['ready']:.1f} s "
                f"| {found['pss']:.0f} MB | {found['rss']:.0f} MB |"
            )


if __name__ == "__main__":
    main()
