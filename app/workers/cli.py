"""`flask --app wsgi worker run [--once] [--only outbox,imports,mail,clocks]`."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup

from app import services
from app.web import mail_words
from app.workers.loop import STEPS, Worker, poll_seconds

worker_cli = AppGroup("worker", help="The background work: outbox, imports, e-mail, clocks.")


def _steps(value: str | None) -> tuple[str, ...]:
    if not value:
        return STEPS
    chosen = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [step for step in chosen if step not in STEPS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"unknown step {', '.join(unknown) or '(none)'}; choose from {', '.join(STEPS)}",
            param_hint="--only",
        )
    return chosen


@contextmanager
def logged_lines() -> Iterator[None]:
    """One line per thing done (the service manager keeps it): through the app's own log
    handler when it has one (JSON lines on stderr in production), else on standard output;
    never both, or every line would be kept twice."""
    root = logging.getLogger("app")
    handler = None
    if not root.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root.addHandler(handler)
    before = root.level
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        if handler is not None:
            root.removeHandler(handler)
        root.setLevel(before)


@contextmanager
def stopped_by_signals(worker: Worker) -> Iterator[None]:
    """SIGTERM or SIGINT: finish the current step and stop; a second one stops at once."""

    def ask_to_stop(signum, _frame) -> None:
        logging.getLogger("app.workers").info(
            "worker %s: %s received; stopping after the current step",
            worker.name,
            signal.Signals(signum).name,
        )
        worker.stop.set()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, ask_to_stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@worker_cli.command("run")
@click.option("--once", is_flag=True, help="One round of every step, then stop.")
@click.option(
    "--only",
    metavar="STEPS",
    help=f"Comma-separated steps to run (default all: {','.join(STEPS)}).",
)
def run(once: bool, only: str | None) -> None:
    """Deliver webhook publications, run queued (and abandoned) imports, e-mail notices
    and warn about complaints coming due, round after round (WORKER_POLL_SECONDS).

    Run one or more beside the web server: every step claims its rows first, so several
    workers share the work and never do one thing twice. SIGTERM or SIGINT stops it
    after the current step, its claims given back."""
    app = current_app._get_current_object()
    steps = _steps(only)
    with logged_lines():
        try:
            worker = Worker(app, steps=steps, compose=mail_words.compose)
        except services.ConfigurationError as problem:
            raise click.ClickException(str(problem)) from problem
        log = logging.getLogger("app.workers")
        log.info(
            "worker %s: %s, every %s s",
            worker.name,
            ", ".join(steps),
            poll_seconds(app.config),
        )
        if "outbox" in steps and worker.adapter is None:
            log.info("outbox: no PUBLISH_WEBHOOK_URL; webhook deliveries wait until one is set")
        if "mail" in steps and worker.smtp is None:
            log.info("mail: no MAIL_SERVER; notices stay in the app")
        with stopped_by_signals(worker):
            worker.run(once=once)
        log.info("worker %s: stopped", worker.name)
