"""Import jobs off the request, the job's state in the database.

The upload request only stores the file and queues the job; the progress page reads the
counts the runner commits after each batch, so no request waits for a long import.

Who runs it is `IMPORTS_RUN_BY`: "web" (the default, for a first look: a thread of the web
process that took the upload) or "worker" (`flask worker run`; the web process only
queues). Either way the runner holds the job's lease (`imports.claim`) and renews it with
each batch and on a timer, so a job left by a process that died (a web worker killed
mid-import, say) is taken over by the next one that looks: a worker, `flask imports run`,
or, in "web" mode, the web process serving its progress page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import services
from app.complaints import imports
from app.complaints.models import ImportJob, ImportStatus
from app.extensions import db

log = logging.getLogger(__name__)

RUN_BY = ("web", "worker")


def lease_of(app: Flask) -> timedelta:
    return timedelta(seconds=max(app.config["IMPORT_LEASE_SECONDS"], 2))


class Heartbeat:
    """Renews a lease on a timer while a long step runs (reading a big file, a slow batch),
    on a connection of its own; the batches renew it too, so it mostly sleeps."""

    def __init__(self, app: Flask, job_id: int, worker: str) -> None:
        self.app, self.job_id, self.worker = app, job_id, worker
        self.lease = lease_of(app)
        self.beaten = services.clock(app).now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="import-heartbeat")

    def _run(self) -> None:
        every = self.lease.total_seconds() / 3
        while not self._stop.wait(every / 2):
            now = services.clock(self.app).now()
            if (now - self.beaten).total_seconds() < every:
                continue
            try:
                with self.app.app_context(), Session(db.engine) as session:
                    imports.renew(
                        session, self.job_id, worker=self.worker, now=now, lease=self.lease
                    )
                    session.commit()
                self.beaten = now
            except imports.LeaseLost:
                return
            except Exception:  # the database busy with the batch: the batch renews it
                log.debug("heartbeat of import job %s skipped", self.job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def run_job(
    app: Flask,
    job_id: int | None = None,
    on_progress: Callable[[ImportJob], None] | None = None,
    *,
    worker: str | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> ImportJob | None:
    """Claim a job (`job_id`, or the oldest claimable) and run it in its own app context
    and session, committing after each batch with the lease renewed. Returns the job as
    it was left, or None when there was nothing to claim (another process holds it)."""
    worker = worker or imports.worker_name()
    lease = lease_of(app)
    with app.app_context():
        clock = services.clock(app)
        job = imports.claim(db.session, worker=worker, now=clock.now(), lease=lease, job_id=job_id)
        db.session.commit()
        if job is None:
            return db.session.get(ImportJob, job_id) if job_id is not None else None
        job_id = job.id
        heartbeat = Heartbeat(app, job_id, worker)

        def checkpoint(current: ImportJob) -> None:
            now = clock.now()
            imports.renew(db.session, current.id, worker=worker, now=now, lease=lease)
            db.session.commit()
            heartbeat.beaten = now
            if on_progress:
                on_progress(current)

        # The heartbeat stops only once any failed batch is rolled back (on PostgreSQL its
        # update would wait for that batch's row lock).
        with heartbeat:
            try:
                job = imports.run(
                    db.session,
                    job,
                    limits=services.import_limits(app.config),
                    now=clock.now,
                    checkpoint=checkpoint,
                    should_stop=should_stop,
                )
                if not job.finished:  # asked to stop between batches: the next one resumes
                    imports.release(db.session, job_id, worker=worker, now=clock.now())
                    db.session.commit()
            except imports.LeaseLost:
                log.warning("import job %s was taken over by another process", job_id)
                db.session.rollback()
            except Exception:  # a bug must not leave the job "running" for ever
                log.exception("import job %s failed", job_id)
                db.session.rollback()
                job = db.session.get(ImportJob, job_id)
                if job.claimed_by == worker and job.status is ImportStatus.RUNNING:
                    job.error = (
                        "The import stopped because of an error on our side. Rows imported "
                        "so far are kept; import the same file again to finish it."
                    )
                    imports.finish(db.session, job, ImportStatus.FAILED, clock.now())
                    db.session.commit()
        return db.session.get(ImportJob, job_id)


def start(job_id: int) -> None:
    """Have the job run: here and now (IMPORTS_IN_BACKGROUND off: tests), on this web
    process's import thread (IMPORTS_RUN_BY=web), or by a worker (nothing to do here)."""
    app = current_app._get_current_object()
    if not app.config["IMPORTS_IN_BACKGROUND"]:
        run_job(app, job_id)
        return
    if app.config["IMPORTS_RUN_BY"] != "web":
        return
    executor = app.extensions.get("composure.import_executor")
    if executor is None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="composure-import")
        app.extensions["composure.import_executor"] = executor
    executor.submit(run_job, app, job_id)


def take_over_if_stalled(job: ImportJob) -> bool:
    """In "web" mode, a job whose process died is resumed by the web process that serves
    its page (the uploader's browser asks every second). True when it was handed on."""
    app = current_app._get_current_object()
    if app.config["IMPORTS_RUN_BY"] != "web" or not app.config["IMPORTS_IN_BACKGROUND"]:
        return False
    if not job.stalled(services.clock(app).now()):
        return False
    start(job.id)
    return True


def claimable_job_ids() -> list[int]:
    """Jobs waiting for a runner: queued, or left by a process that died."""
    now = services.clock(current_app).now()
    return list(
        db.session.scalars(
            select(ImportJob.id).where(imports.claimable(now)).order_by(ImportJob.id)
        )
    )
