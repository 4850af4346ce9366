"""Running an import job: read the file, validate each row, store new complaints in batches.

The caller passes `checkpoint`, called after each batch: the CLI commits and moves its
progress bar, the background worker commits so the progress page can read the counts.

A job is run by whichever process holds its lease (`claim`): the web process that took
the upload, a `flask worker run`, or `flask imports run`. The holder renews the lease with
each batch it commits (`renew`, in the same transaction as the batch's rows and counts).
A process that dies leaves the job `running` with a lease that runs out; the next `claim`
takes it over and `run` resumes after the last committed batch: the counts, the rows'
issues and the complaints of a batch are committed together, so `processed_rows` is
exactly where to start again, and the file is re-read the same way.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import log as audit
from app.complaints import cases, importers, intake
from app.complaints.models import (
    IMPORT_MOVES,
    ImportFormat,
    ImportJob,
    ImportRowIssue,
    ImportStatus,
)
from app.core.words import N_


@dataclass(frozen=True)
class ImportLimits:
    max_chars: int
    max_bytes: int
    batch_size: int = 1000
    #: How long a case stays open to the same handle's messages (CASE_OPEN_HOURS).
    case_window: timedelta = cases.DEFAULT_OPEN


def create_job(
    session: Session,
    *,
    payload: bytes,
    filename: str,
    fmt: ImportFormat | None,
    encoding: str | None,
    default_channel: str | None,
    actor: User | None,
    limits: ImportLimits,
    now: datetime,
    history_handled: bool = False,
    handled_before: datetime | None = None,
) -> ImportJob:
    """Queue a file for import after the checks that need no parsing (size, emptiness).

    `history_handled`: complaints received before `handled_before` (when given), else
    before the job's time minus their channel's response target, are stored resolved."""
    if len(payload) > limits.max_bytes:
        raise importers.ImportFileError(
            f"The file is {len(payload) / 1_048_576:.1f} MB; the limit is "
            f"{limits.max_bytes / 1_048_576:.0f} MB. Split it into smaller files."
        )
    if not payload.strip():
        raise importers.ImportFileError("The file is empty.")
    job = ImportJob(
        created_by_id=actor.id if actor else None,
        filename=filename[:255] or "upload",
        format=fmt,
        encoding=encoding or "utf-8",
        default_channel_key=default_channel or None,
        payload=payload,
        size_bytes=len(payload),
        created_at=now,
        status=ImportStatus.QUEUED,
        history_handled=history_handled or handled_before is not None,
        handled_before=handled_before,
    )
    session.add(job)
    session.flush()
    return job


#: A job whose process died this many times is failed rather than taken over again: the
#: file itself may be what kills it (memory), and a person should look.
MAX_RESUMES = 5


class LeaseLost(Exception):
    """Another process holds the job now (this one did not renew its lease in time): stop,
    and roll back the batch not yet committed; the other one carries on from the last."""


def worker_name() -> str:
    """Who holds a lease: the host and process, and a random part for two runs of one pid."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def claimable(now: datetime):
    """Queued, or running with a lease that has run out (or none: from before leases)."""
    return or_(
        ImportJob.status == ImportStatus.QUEUED,
        (ImportJob.status == ImportStatus.RUNNING)
        & or_(ImportJob.lease_expires_at.is_(None), ImportJob.lease_expires_at <= now),
    )


def claim(
    session: Session,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    job_id: int | None = None,
) -> ImportJob | None:
    """Take a job to run (flushed; commit before running it): a queued one, or one whose
    process died (a takeover, resumed where it stopped); the oldest first, or `job_id`.

    A compare-and-set (`UPDATE … WHERE` the job is still claimable), after `FOR UPDATE
    SKIP LOCKED` on PostgreSQL: of several processes trying at once, one wins each job."""
    query = select(ImportJob.id, ImportJob.status).where(claimable(now)).order_by(ImportJob.id)
    if job_id is not None:
        query = query.where(ImportJob.id == job_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for candidate, status in session.execute(query.limit(5)).all():
        running = (
            IMPORT_MOVES.check(status, ImportStatus.RUNNING)
            if status is ImportStatus.QUEUED
            else ImportStatus.RUNNING  # a takeover: it stays running, under a new holder
        )
        values = {
            "status": running,
            "claimed_by": worker,
            "lease_expires_at": now + lease,
            "heartbeat_at": now,
        }
        if status is ImportStatus.QUEUED:
            values["started_at"] = now
        else:
            values["resumes"] = ImportJob.resumes + 1
        before = session.execute(
            select(ImportJob.claimed_by, ImportJob.resumes, ImportJob.processed_rows).where(
                ImportJob.id == candidate
            )
        ).one()
        if status is ImportStatus.RUNNING and before.resumes >= MAX_RESUMES:
            _give_up(session, candidate, now)
            continue
        won = session.execute(
            update(ImportJob)
            .where(ImportJob.id == candidate, ImportJob.status == status, claimable(now))
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not won:
            continue
        job = session.get(ImportJob, candidate, populate_existing=True)
        if status is ImportStatus.RUNNING:
            audit.record(
                session,
                action="import.resumed",
                entity_type="import_job",
                entity_id=job.id,
                actor_id=None,
                now=now,
                details={
                    "from": before.claimed_by,
                    "by": worker,
                    "after_row": before.processed_rows,
                },
            )
        session.flush()
        return job
    return None


def _give_up(session: Session, job_id: int, now: datetime) -> None:
    won = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, claimable(now), ImportJob.status == ImportStatus.RUNNING)
        .values(
            status=IMPORT_MOVES.check(ImportStatus.RUNNING, ImportStatus.FAILED),
            finished_at=now,
            lease_expires_at=None,
            error=(
                f"The process running this import stopped {MAX_RESUMES + 1} times; it was "
                "not started again. Rows imported so far are kept; split the file and "
                "import the rest."
            ),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if won:
        _audit_finished(session, session.get(ImportJob, job_id, populate_existing=True), now)


def renew(session: Session, job_id: int, *, worker: str, now: datetime, lease: timedelta) -> None:
    """Extend the lease (flushed, in the caller's transaction: commit it with the batch;
    a job that has just finished keeps none). LeaseLost when another process has taken
    the job over meanwhile: roll back."""
    won = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.claimed_by == worker)
        .values(
            lease_expires_at=case(
                (
                    ImportJob.status == ImportStatus.RUNNING,
                    literal(now + lease, ImportJob.lease_expires_at.type),
                ),
                else_=None,
            ),
            heartbeat_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        raise LeaseLost(f"import job {job_id} is no longer held by {worker}")


def release(session: Session, job_id: int, *, worker: str, now: datetime) -> bool:
    """Give a running job back (the process is stopping after a committed batch): its
    lease ends now, so the next `claim` anywhere resumes it at once. Flushed."""
    return bool(
        session.execute(
            update(ImportJob)
            .where(
                ImportJob.id == job_id,
                ImportJob.claimed_by == worker,
                ImportJob.status == ImportStatus.RUNNING,
            )
            .values(lease_expires_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def run(
    session: Session,
    job: ImportJob,
    *,
    limits: ImportLimits,
    now: Callable[[], datetime],
    checkpoint: Callable[[ImportJob], None] = lambda job: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> ImportJob:
    """Process a claimed job to the end, from the first row not yet committed (a job taken
    over resumes there). A file-level problem marks the job failed. When `should_stop`
    says so after a committed batch, return with the job still running (release it)."""
    if job.status is ImportStatus.QUEUED:  # not claimed: run here and now (tests, tools)
        job.move_to(ImportStatus.RUNNING)
        job.started_at = now()
    checkpoint(job)
    try:
        fmt, records = importers.read(
            job.payload or b"",
            filename=job.filename,
            fmt=job.format,
            encoding=None if job.encoding == "utf-8" else job.encoding,
            default_channel=job.default_channel_key,
            max_field=limits.max_chars * 4 + 1024,
        )
    except importers.ImportFileError as exc:
        job.error = str(exc)
        finish(session, job, ImportStatus.FAILED, now())
        checkpoint(job)
        return job
    job.format = fmt
    job.total_rows = len(records)
    checkpoint(job)

    channels = intake.load_channels(session)
    resume_at = min(job.processed_rows, len(records))
    # Rows before `resume_at` are committed; read them again only for what they hold
    # for the rest: "same complaint as row N of this file" stays exact after a takeover.
    seen_in_file = _seen_in(records[:resume_at], channels, job, limits)
    for start in range(resume_at, len(records), limits.batch_size):
        if start > resume_at and should_stop():
            return job
        batch = records[start : start + limits.batch_size]
        issues: list[dict] = []
        valid_rows: list[tuple[int, intake.ValidComplaint]] = []
        for record in batch:
            if record.ignored:
                job.ignored_count += 1
                continue
            if record.problem:
                issues.append(_issue(job, record.row_number, "rejected", record.problem))
                continue
            assert record.data is not None
            try:
                valid = intake.validate(
                    record.data, channels, now=job.created_at, max_chars=limits.max_chars
                )
            except intake.Rejection as rejection:
                issues.append(_issue(job, record.row_number, "rejected", str(rejection)))
                continue
            first = seen_in_file.get(valid.dedupe_key)
            if first is not None:
                issues.append(
                    _issue(
                        job,
                        record.row_number,
                        "duplicate",
                        f"same complaint as row {first} of this file",
                    )
                )
                continue
            seen_in_file[valid.dedupe_key] = record.row_number
            valid_rows.append((record.row_number, valid))

        stored = intake.existing_keys(session, (valid.dedupe_key for _, valid in valid_rows))
        fresh = [valid for _, valid in valid_rows if valid.dedupe_key not in stored]
        inserted = intake.insert_new(
            session,
            fresh,
            actor_id=job.created_by_id,
            job_id=job.id,
            now=now(),
            case_window=limits.case_window,
            handled=already_handled(job),
        )
        for row_number, valid in valid_rows:
            if valid.dedupe_key not in inserted:
                issues.append(_issue(job, row_number, "duplicate", N_("already in Composure")))
        job.imported_count += len(inserted)
        job.duplicate_count += sum(1 for issue in issues if issue["outcome"] == "duplicate")
        job.rejected_count += sum(1 for issue in issues if issue["outcome"] == "rejected")
        if issues:
            session.execute(insert(ImportRowIssue), issues)
        job.processed_rows = min(len(records), start + len(batch))
        checkpoint(job)

    # Every row is stored: follow the file's reply links into cases (again after a
    # takeover at this point: it changes nothing twice).
    posts = [record.post for record in records if record.post is not None]
    if posts:
        linked = cases.link_threads(
            session, posts, channel_key=importers.TWCS_CHANNEL, job_id=job.id
        )
        job.replies_kept_count += linked.replies_kept
    finish(session, job, ImportStatus.DONE, now())
    checkpoint(job)
    return job


def already_handled(job: ImportJob) -> Callable[[intake.ValidComplaint], bool] | None:
    """Which complaints of the job are history already handled, when it asked so: those
    received before its cut-off (`ImportJob.history_handled`)."""
    if not job.history_handled:
        return None
    if job.handled_before is not None:
        cutoff = job.handled_before
        return lambda valid: valid.received_at < cutoff
    return lambda valid: valid.response_due_at < job.created_at


def _seen_in(
    records: list[importers.Record],
    channels: dict,
    job: ImportJob,
    limits: ImportLimits,
) -> dict[str, int]:
    """The dedupe keys of the valid rows among `records`, each with its first row."""
    seen: dict[str, int] = {}
    for record in records:
        if record.ignored or record.problem or record.data is None:
            continue
        try:
            valid = intake.validate(
                record.data, channels, now=job.created_at, max_chars=limits.max_chars
            )
        except intake.Rejection:
            continue
        seen.setdefault(valid.dedupe_key, record.row_number)
    return seen


def finish(session: Session, job: ImportJob, status: ImportStatus, at: datetime) -> None:
    job.move_to(status)
    job.finished_at = at
    job.lease_expires_at = None
    _audit_finished(session, job, at)


def _issue(job: ImportJob, row_number: int, outcome: str, reason: str) -> dict:
    return {"job_id": job.id, "row_number": row_number, "outcome": outcome, "reason": reason[:500]}


def _audit_finished(session: Session, job: ImportJob, at: datetime) -> None:
    audit.record(
        session,
        action="import.finished",
        entity_type="import_job",
        entity_id=job.id,
        actor_id=job.created_by_id,
        now=at,
        to_state=job.status.value,
        details={
            "filename": job.filename,
            "imported": job.imported_count,
            "duplicates": job.duplicate_count,
            "rejected": job.rejected_count,
            "ignored": job.ignored_count,
            "replies_kept": job.replies_kept_count,
            "error": job.error,
        },
    )
