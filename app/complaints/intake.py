"""Intake: turning what someone pasted, posted or imported into a stored complaint.

One path for every source (form, API, CSV, JSON, demo): validate, clean, recognise
duplicates, set the response-due time from the target of the complaint's market on its
channel (the market's own, else the channel's; counted on the market's clock: business
hours and holidays where it has them), audit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.analysis import analyze
from app.audit import log as audit
from app.complaints import cases, markets, reading
from app.complaints.models import Channel, Complaint, ComplaintStatus
from app.core.errors import Invalid
from app.core.text import clean_text, is_blank, one_line

#: Other names people use for our channel keys, in imported files.
CHANNEL_ALIASES = {
    "twitter": "x",
    "x.com": "x",
    "tweet": "x",
    "fb": "facebook",
    "ig": "instagram",
    "e-mail": "email",
    "mail": "email",
    "direct message": "dm",
    "direct_message": "dm",
    "reviews": "review",
    "trustpilot": "review",
}


@dataclass
class ComplaintInput:
    """What intake needs to know, as received (unvalidated)."""

    channel: str
    text: str
    received_at: datetime | None = None
    author_handle: str = ""
    author_name: str = ""
    url: str = ""
    external_id: str = ""
    source: str = "manual"


class Rejection(Invalid):
    """A complaint that cannot be taken, with a message per field."""


@dataclass(frozen=True)
class ValidComplaint:
    channel: Channel
    text: str
    received_at: datetime
    author_handle: str
    author_name: str
    url: str | None
    external_id: str | None
    source: str
    dedupe_key: str

    @property
    def response_target(self) -> timedelta:
        return timedelta(seconds=self.channel.response_target_seconds)

    @property
    def response_due_at(self) -> datetime:
        """Received plus the channel's target around the clock (24/7). What is stored is
        the market's target counted on the market's clock instead (see `insert_new`)."""
        return self.received_at + self.response_target


def load_channels(session: Session, *, include_inactive: bool = False) -> dict[str, Channel]:
    query = select(Channel).order_by(Channel.position, Channel.name)
    if not include_inactive:
        query = query.where(Channel.active.is_(True))
    return {channel.key: channel for channel in session.scalars(query)}


def resolve_channel(name: str, channels: dict[str, Channel]) -> Channel | None:
    key = name.strip().lower()
    key = CHANNEL_ALIASES.get(key, key)
    return channels.get(key)


def dedupe_key(
    channel_key: str,
    *,
    external_id: str | None,
    url: str | None,
    author_handle: str,
    received_at: datetime,
    text: str,
) -> str:
    """How a complaint is recognised when it arrives again.

    Its id on the channel when known, else its link, else a digest of who wrote what and
    when (to the second), so a form submitted twice or a file imported twice adds nothing.
    """
    if external_id:
        return f"{channel_key}:id:{external_id}"[:200]
    if url:
        return f"{channel_key}:url:{hashlib.sha256(url.encode()).hexdigest()}"
    digest = hashlib.sha256(
        "\x1f".join(
            [
                author_handle.lower(),
                received_at.replace(microsecond=0).isoformat(),
                " ".join(text.split()),
            ]
        ).encode()
    ).hexdigest()
    return f"{channel_key}:sha256:{digest}"


def validate(
    data: ComplaintInput, channels: dict[str, Channel], *, now: datetime, max_chars: int
) -> ValidComplaint:
    """Clean and check one complaint; raise Rejection naming every field that is wrong."""
    problems: dict[str, str] = {}
    channel = resolve_channel(data.channel or "", channels)
    if channel is None:
        known = ", ".join(sorted(channels))
        problems["channel"] = (
            f"Unknown channel {one_line(data.channel, 40)!r}; use one of: {known}."
            if data.channel and data.channel.strip()
            else "Choose a channel."
        )
    text = clean_text(data.text)
    if is_blank(text):
        problems["text"] = "The complaint text is empty."
    elif len(text) > max_chars:
        problems["text"] = (
            f"The complaint is {len(text):,} characters long; the limit is "
            f"{max_chars:,}. Split it or shorten quoted material."
        )
    received_at = data.received_at or now
    if received_at.tzinfo is None:
        problems["received_at"] = "The time it was received needs a time zone."
    elif received_at > now + timedelta(minutes=5):
        problems["received_at"] = "The time it was received is in the future."
    elif received_at.year < 2000:
        problems["received_at"] = "The time it was received is before the year 2000."
    url = one_line(data.url, 2000) or None
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems["url"] = "The link must start with http:// or https://."
    if problems:
        raise Rejection(problems)
    assert channel is not None
    author_handle = one_line(data.author_handle, 200)
    external_id = one_line(data.external_id, 100) or None
    return ValidComplaint(
        channel=channel,
        text=text,
        received_at=received_at,
        author_handle=author_handle,
        author_name=one_line(data.author_name, 200),
        url=url,
        external_id=external_id,
        source=data.source,
        dedupe_key=dedupe_key(
            channel.key,
            external_id=external_id,
            url=url,
            author_handle=author_handle,
            received_at=received_at,
            text=text,
        ),
    )


def _row(
    valid: ValidComplaint,
    *,
    actor_id: int | None,
    job_id: int | None,
    now: datetime,
    handled: bool = False,
) -> dict:
    return {
        "channel_key": valid.channel.key,
        "dedupe_key": valid.dedupe_key,
        "source": valid.source,
        "external_id": valid.external_id,
        "author_handle": valid.author_handle,
        "author_name": valid.author_name,
        "text": valid.text,
        "url": valid.url,
        "received_at": valid.received_at,
        "response_due_at": valid.response_due_at,
        # History marked as already handled at import arrives resolved (see `insert_new`).
        "status": ComplaintStatus.RESOLVED if handled else ComplaintStatus.NEW,
        "resolved_at": now if handled else None,
        "created_by_id": actor_id,
        "import_job_id": job_id,
        "created_at": now,
        # Analysed at intake, so the inbox shows heat and flags from the first moment.
        **reading.columns(analyze(valid.text, channel=valid.channel.key), now, text=valid.text),
    }


@dataclass(frozen=True)
class IntakeResult:
    complaint: Complaint
    created: bool


def register(
    session: Session,
    valid: ValidComplaint,
    *,
    actor: User | None,
    now: datetime,
    case_window: timedelta = cases.DEFAULT_OPEN,
) -> IntakeResult:
    """Store one complaint, or return the one already stored under the same dedupe key."""
    existing = session.scalar(select(Complaint).where(Complaint.dedupe_key == valid.dedupe_key))
    if existing is not None:
        return IntakeResult(existing, created=False)
    inserted = insert_new(
        session,
        [valid],
        actor_id=actor.id if actor else None,
        job_id=None,
        now=now,
        case_window=case_window,
    )
    complaint = session.scalar(select(Complaint).where(Complaint.dedupe_key == valid.dedupe_key))
    assert complaint is not None
    if inserted:
        audit.record(
            session,
            action="complaint.created",
            entity_type="complaint",
            entity_id=complaint.id,
            complaint_id=complaint.id,
            actor_id=actor.id if actor else None,
            now=now,
            to_state="new",
            details={"source": valid.source, "channel": valid.channel.key},
        )
    return IntakeResult(complaint, created=bool(inserted))


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(
            session.scalars(select(Complaint.dedupe_key).where(Complaint.dedupe_key.in_(chunk)))
        )
    return found


def insert_new(
    session: Session,
    rows: Sequence[ValidComplaint],
    *,
    actor_id: int | None,
    job_id: int | None,
    now: datetime,
    case_window: timedelta = cases.DEFAULT_OPEN,
    handled: Callable[[ValidComplaint], bool] | None = None,
) -> set[str]:
    """Insert the complaints whose dedupe key is not stored yet; return the keys inserted.

    `ON CONFLICT DO NOTHING` lets two imports of the same file run at once without
    duplicates or errors: the database decides who stored each row. Each row joins its
    case (`cases.place`); a case made for a row that was not inserted is removed again.
    Rows for which `handled` says so are stored resolved (history already handled).
    """
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    values = [
        _row(
            valid,
            actor_id=actor_id,
            job_id=job_id,
            now=now,
            handled=bool(handled and handled(valid)),
        )
        for valid in rows
    ]
    book = markets.load(session)
    for valid, row in zip(rows, values, strict=True):
        market = book.market_for(valid.channel.key, row["language"])
        row["response_due_at"] = market.due_at(valid.received_at, market.target_for(valid.channel))
    made = cases.place(session, values, window=case_window, now=now)
    statement = (
        insert(Complaint)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Complaint.id, Complaint.dedupe_key)
    )
    flags = {row["dedupe_key"]: row["flags"] for row in values}
    inserted: set[str] = set()
    for start in range(0, len(values), 500):
        stored = session.execute(statement, values[start : start + 500]).all()
        reading.store_flags(session, [(row.id, flags[row.dedupe_key]) for row in stored])
        inserted.update(row.dedupe_key for row in stored)
    if len(inserted) < len(values):
        cases.remove_if_empty(session, (case.id for case in made))
    return inserted


def add(
    session: Session,
    data: ComplaintInput,
    *,
    actor: User | None,
    now: datetime,
    max_chars: int,
    case_window: timedelta = cases.DEFAULT_OPEN,
) -> IntakeResult:
    """Check one complaint against the channels in force and store it (or find the one
    already stored); raise Rejection naming every field that is wrong."""
    valid = validate(data, load_channels(session), now=now, max_chars=max_chars)
    return register(session, valid, actor=actor, now=now, case_window=case_window)
