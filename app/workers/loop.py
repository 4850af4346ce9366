"""The worker's rounds: each step in its own transactions, then a pause, until asked to
stop. Run by `flask --app wsgi worker run`; `flask outbox run` and `flask imports run` are
the same steps on their own.

Several workers may run at once, on one machine or several: every step claims its rows
first (a compare-and-set, after `FOR UPDATE SKIP LOCKED` on PostgreSQL), so no delivery,
import batch, e-mail or warning is done twice. Asked to stop (SIGTERM, SIGINT), a worker
finishes what it is sending, commits, gives back what it had claimed and not begun (an
import after its current batch) and exits.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask

from app import services
from app.complaints import clocks, imports
from app.complaints import jobs as import_jobs
from app.complaints.models import ImportJob
from app.core.durations import plural
from app.drafts import ready
from app.extensions import db
from app.notifications import jobs as mail_jobs
from app.notifications.mail import MailReport
from app.publishing import jobs as outbox_jobs
from app.publishing.adapters import TargetRefused
from app.workers.words import sayer

log = logging.getLogger(__name__)

STEPS = ("outbox", "imports", "mail", "clocks")
#: After the mail server could not be reached, e-mail waits this long (the rest goes on).
MAIL_PAUSE_SECONDS = 60


def poll_seconds(config: Any) -> int:
    return max(config["WORKER_POLL_SECONDS"] or config["OUTBOX_POLL_SECONDS"], 1)


@dataclass
class Worker:
    """One worker process's state: what it runs, its name on the leases, its stop flag."""

    app: Flask
    steps: tuple[str, ...] = STEPS
    name: str = field(default_factory=imports.worker_name)
    stop: threading.Event = field(default_factory=threading.Event)
    mail_paused_until: float = 0.0
    #: How a notice reads as an e-mail (the entry point passes the web layer's words, in
    #: each recipient's language).
    compose: mail_jobs.Compose = mail_jobs.in_english

    def __post_init__(self) -> None:
        config = self.app.config
        # Start-up: a webhook address nobody may choose stops the worker, named; its host
        # is resolved now too (and again before each delivery: DNS can change).
        self.adapter = services.webhook_adapter(config)
        if self.adapter is not None and "outbox" in self.steps:
            try:
                self.adapter.targets.resolve(self.adapter.url)
            except TargetRefused as refused:
                raise services.ConfigurationError(str(refused)) from refused
            except OSError as error:
                log.warning("outbox: webhook host not resolved (%s); deliveries will retry", error)
        self.smtp = services.mailer(config)
        self.retry = services.retry_policy(config)
        self.claim_size = max(config["OUTBOX_CLAIM_SIZE"], 1)
        self.margin = timedelta(minutes=max(config["BREACH_WARNING_MINUTES"], 1))
        self.say = sayer(config)

    def now(self):
        return services.clock(self.app).now()

    def run(self, *, once: bool = False) -> None:
        """Rounds until stopped (or one round)."""
        while not self.stop.is_set():
            self.round()
            if once:
                return
            self.stop.wait(poll_seconds(self.app.config))

    def round(self) -> dict[str, Any]:
        """Each step once, in its own transactions; a step that fails is logged and the
        others go on (it is tried again next round)."""
        reports: dict[str, Any] = {}
        for step in self.steps:
            if self.stop.is_set():
                break
            try:
                reports[step] = getattr(self, f"_{step}")()
            except Exception:
                log.exception("%s: the step failed; trying again next round", step)
                db.session.rollback()
            finally:
                db.session.remove()
        return reports

    def _outbox(self) -> outbox_jobs.RunReport | None:
        if self.adapter is None:
            return None

        def said(claim, status) -> None:
            outcome = status.value if status is not None else "taken over by another worker"
            log.info(
                "outbox: publication %s attempt %s: %s",
                claim.publication_id,
                claim.attempt,
                outcome,
            )

        return outbox_jobs.deliver_due(
            db.session,
            self.adapter,
            clock=self.now,
            retry=self.retry,
            limit=self.claim_size,
            should_stop=self.stop.is_set,
            on_result=said,
        )

    def _imports(self) -> list[ImportJob]:
        done = []
        while not self.stop.is_set():
            job = import_jobs.run_job(self.app, worker=self.name, should_stop=self.stop.is_set)
            if job is None:
                break
            if job.finished:
                resumed = f", resumed {plural(job.resumes, 'time')}" if job.resumes else ""
                log.info(
                    "imports: job %s (%s) %s: %s imported, %s duplicate, %s rejected%s",
                    job.id,
                    job.filename,
                    job.status.value,
                    job.imported_count,
                    job.duplicate_count,
                    job.rejected_count,
                    resumed,
                )
            else:
                log.info("imports: job %s given back after row %s", job.id, job.processed_rows)
            done.append(job)
        return done

    def _mail(self) -> MailReport | None:
        if self.smtp is None or time.monotonic() < self.mail_paused_until:
            return None
        report = mail_jobs.send_pending(
            db.session,
            self.smtp,
            now=self.now(),
            on_sent=lambda notice, email: log.info("mail: notice %s sent to %s", notice, email),
            compose=self.compose,
        )
        if report.server_down:
            log.warning("mail: server unreachable (%s); trying again later", report.server_down)
            self.mail_paused_until = time.monotonic() + MAIL_PAUSE_SECONDS
        return report

    def _clocks(self) -> list[clocks.Warning]:
        def said(warning: clocks.Warning) -> None:
            whom = "its holder" if warning.to_holder else f"the team ({warning.people})"
            log.info(
                "clocks: complaint %s due %s: warned %s",
                warning.complaint_id,
                warning.due_at.isoformat(timespec="minutes"),
                whom,
            )

        warnings = clocks.warn_due(
            db.session,
            now=self.now(),
            margin=self.margin,
            checkpoint=db.session.commit,
            on_warning=said,
            say=self.say,
        )
        # The authors of drafts whose cooling-off ended hear it (app/drafts/ready.py).
        announced = ready.announce_ended(db.session, now=self.now(), checkpoint=db.session.commit)
        for draft_id in announced:
            log.info("clocks: draft %s cooling-off ended: told its author", draft_id)
        return warnings
