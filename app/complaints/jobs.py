"""Import jobs off the request: a worker thread per process, the job's state in the database.

The upload request only stores the file and queues the job; the progress page reads the
counts the worker commits after each batch, so no request waits for a long import.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import select

from app import services
from app.complaints import imports
from app.complaints.models import ImportJob, ImportStatus
from app.extensions import db

log = logging.getLogger(__name__)


def run_job(app: Flask, job_id: int, on_progress=None) -> ImportJob | None:
    """Run one queued job in its own app context and session, committing after each batch."""
    with app.app_context():
        clock = services.clock(app)
        job = db.session.get(ImportJob, job_id)
        if job is None or job.status is not ImportStatus.QUEUED:
            return job

        def checkpoint(current: ImportJob) -> None:
            db.session.commit()
            if on_progress:
                on_progress(current)

        try:
            imports.run(
                db.session,
                job,
                limits=services.import_limits(app.config),
                now=clock.now,
                checkpoint=checkpoint,
            )
        except Exception:  # a bug must not leave the job "running" for ever
            log.exception("import job %s failed", job_id)
            db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            job.move_to(ImportStatus.FAILED)
            job.error = (
                "The import stopped because of an error on our side. Rows imported "
                "so far are kept; import the same file again to finish it."
            )
            job.finished_at = clock.now()
            db.session.commit()
        return job


def start(job_id: int) -> None:
    """Run the job in the background, or right away when the app is configured so."""
    app = current_app._get_current_object()
    if not app.config["IMPORTS_IN_BACKGROUND"]:
        run_job(app, job_id)
        return
    executor = app.extensions.get("composure.import_executor")
    if executor is None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="composure-import")
        app.extensions["composure.import_executor"] = executor
    executor.submit(run_job, app, job_id)


def queued_job_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(ImportJob.id)
            .where(ImportJob.status == ImportStatus.QUEUED)
            .order_by(ImportJob.id)
        )
    )
