"""Running an import job: read the file, validate each row, store new complaints in batches.

The caller passes `checkpoint`, called after each batch: the CLI commits and moves its
progress bar, the background worker commits so the progress page can read the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import log as audit
from app.complaints import importers, intake
from app.complaints.models import ImportFormat, ImportJob, ImportRowIssue, ImportStatus


@dataclass(frozen=True)
class ImportLimits:
    max_chars: int
    max_bytes: int
    batch_size: int = 1000


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
) -> ImportJob:
    """Queue a file for import after the checks that need no parsing (size, emptiness)."""
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
    )
    session.add(job)
    session.flush()
    return job


def run(
    session: Session,
    job: ImportJob,
    *,
    limits: ImportLimits,
    now: Callable[[], datetime],
    checkpoint: Callable[[ImportJob], None] = lambda job: None,
) -> ImportJob:
    """Process a queued job to the end. A file-level problem marks the job failed."""
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
        job.move_to(ImportStatus.FAILED)
        job.error = str(exc)
        job.finished_at = now()
        _audit_finished(session, job, now())
        checkpoint(job)
        return job
    job.format = fmt
    job.total_rows = len(records)
    checkpoint(job)

    channels = intake.load_channels(session)
    seen_in_file: dict[str, int] = {}
    for start in range(0, len(records), limits.batch_size):
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
            session, fresh, actor_id=job.created_by_id, job_id=job.id, now=now()
        )
        for row_number, valid in valid_rows:
            if valid.dedupe_key not in inserted:
                issues.append(_issue(job, row_number, "duplicate", "already in Composure"))
        job.imported_count += len(inserted)
        job.duplicate_count += sum(1 for issue in issues if issue["outcome"] == "duplicate")
        job.rejected_count += sum(1 for issue in issues if issue["outcome"] == "rejected")
        if issues:
            session.execute(insert(ImportRowIssue), issues)
        job.processed_rows = min(len(records), start + len(batch))
        checkpoint(job)

    job.move_to(ImportStatus.DONE)
    job.finished_at = now()
    _audit_finished(session, job, job.finished_at)
    checkpoint(job)
    return job


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
            "error": job.error,
        },
    )
