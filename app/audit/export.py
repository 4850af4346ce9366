"""The audit log as CSV, filtered by day, complaint and action, for auditors' spreadsheets.

No Flask: the admin page streams `csv_lines`, `flask audit export` calls `write_csv`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.core.errors import Invalid
from app.core.words import N_

COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "complaint_id",
    "draft_id",
    "from_state",
    "to_state",
    "revision",
    "details",
    "prev_hash",
    "hash",
)
#: What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The largest id the integer columns hold on PostgreSQL.
MAX_ID = 2**31 - 1
MAX_ACTION_PREFIX = 64
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NUMBER = re.compile(r"\d{1,10}", re.ASCII)
ROWS_PER_FETCH = 500


class FilterError(Invalid):
    """Filter values that cannot be used; `fields` maps each filter to what is wrong."""


@dataclass(frozen=True)
class Filters:
    #: From this moment (inclusive) to `until` (exclusive), aware UTC.
    since: datetime | None = None
    until: datetime | None = None
    complaint_id: int | None = None
    action_prefix: str | None = None


def _day_start(text: str, zone: tzinfo, *, days_after: int = 0) -> datetime:
    """Midnight at the start of the day `text` (YYYY-MM-DD) in `zone`, in UTC."""
    if not _DAY.fullmatch(text):
        raise ValueError(N_("Give a date as YYYY-MM-DD, for example 2026-11-23."))
    try:
        day = date.fromisoformat(text) + timedelta(days=days_after)
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    except ValueError as error:
        raise ValueError(f"{text} is not a date on the calendar.") from error
    except OverflowError as error:
        raise ValueError(f"{text} is too far in the past or future.") from error


def parse_filters(
    *,
    since: str | None = None,
    until: str | None = None,
    complaint: str | None = None,
    action: str | None = None,
    zone: tzinfo = UTC,
) -> Filters:
    """Filters from values as people type them: days (inclusive, in `zone`), a complaint
    number, the start of an action name. Blank means no filter; raise FilterError naming
    every value that cannot be used."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, text, days_after in (("since", since, 0), ("until", until, 1)):
        text = (text or "").strip()
        if text:
            try:
                values[name] = _day_start(text, zone, days_after=days_after)
            except ValueError as problem:
                problems[name] = str(problem)
    if values.get("since") and values.get("until") and values["until"] <= values["since"]:
        problems["until"] = N_("The last day is before the first day.")
    complaint = (complaint or "").strip().lstrip("#")
    if complaint:
        if _NUMBER.fullmatch(complaint) and 0 < int(complaint) <= MAX_ID:
            values["complaint_id"] = int(complaint)
        else:
            problems["complaint"] = N_("Give a complaint number, for example 42.")
    action = (action or "").strip()
    if len(action) > MAX_ACTION_PREFIX:
        problems["action"] = f"At most {MAX_ACTION_PREFIX} characters."
    elif action:
        values["action_prefix"] = action
    if problems:
        raise FilterError(problems)
    return Filters(**values)


def matching(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    complaint_id: int | None = None,
    action_prefix: str | None = None,
) -> Select[tuple[AuditEvent]]:
    """The events in [since, until) on that complaint whose action starts with the prefix."""
    query = select(AuditEvent)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    if complaint_id is not None:
        query = query.where(AuditEvent.complaint_id == complaint_id)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    return query


def events(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    complaint_id: int | None = None,
    action_prefix: str | None = None,
) -> Iterator[AuditEvent]:
    """The matching events in chain order, fetched a batch at a time."""
    query = matching(
        since=since, until=until, complaint_id=complaint_id, action_prefix=action_prefix
    )
    yield from session.scalars(
        query.order_by(AuditEvent.id).execution_options(yield_per=ROWS_PER_FETCH)
    )


def actor_labels(session: Session) -> dict[int, str]:
    """ "Name <email>" for every user, by id: what the CSV's actor column shows."""
    return {
        user_id: f"{name} <{email}>"
        for user_id, name, email in session.execute(select(User.id, User.name, User.email))
    }


def safe_cell(text: str) -> str:
    """Text a spreadsheet shows rather than runs: an apostrophe before a formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _row(event: AuditEvent, names: Mapping[int, str]) -> list[Any]:
    def stored(value: str | None) -> str | None:
        return None if value is None else safe_cell(value)

    if event.actor_id is None:
        actor = "system"
    else:
        actor = names.get(event.actor_id, f"user #{event.actor_id}")
    details = json.dumps(
        event.details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return [
        event.id,
        event.at.astimezone(UTC).isoformat(),
        event.actor_id,
        safe_cell(actor),
        stored(event.action),
        stored(event.entity_type),
        event.entity_id,
        event.complaint_id,
        event.draft_id,
        stored(event.from_state),
        stored(event.to_state),
        event.revision,
        safe_cell(details),
        stored(event.prev_hash),
        stored(event.hash),
    ]


def csv_lines(events: Iterable[AuditEvent], names: Mapping[int, str]) -> Iterator[str]:
    """The header line, then one line per event: for streaming without holding the file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for event in events:
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_row(event, names))
    yield buffer.getvalue()


def write_csv(events: Iterable[AuditEvent], stream: TextIO, names: Mapping[int, str]) -> int:
    """Write the header and a row per event to `stream` (open it with newline="");
    return how many events were written."""
    count = 0
    for line in csv_lines(events, names):
        stream.write(line)
        count += 1
    return count - 1  # the header is not an event
