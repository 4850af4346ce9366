"""The app with its demo data, served on 127.0.0.1 from a throwaway SQLite database, for
the load bench and the screenshot script."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask_server(port: int) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)]


def waitress_server(port: int) -> list[str]:
    """As a small team would run it: waitress with 8 threads."""
    return [sys.executable, "-m", "waitress", "--threads=8", f"--port={port}", "wsgi:app"]


@contextmanager
def demo_server(
    command: Callable[[int], list[str]] = flask_server,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> Iterator[str]:
    """Migrate, load the demo, start the server; yields its base URL, stops it after.
    `started` is given the server's process (to read its memory, say)."""
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "COMPOSURE_INSTANCE_DIR": instance}
        env.pop("DATABASE_URL", None)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for step in (["db", "upgrade"], ["demo"]):
            subprocess.run([*flask, *step], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            command(port),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if started is not None:
            started(server)
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=10)
