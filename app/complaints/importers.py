"""Reading complaint files: Customer Support on Twitter CSV, generic CSV, JSON and JSON Lines.

Parsers turn bytes into numbered records; they never touch the database. A problem with
the whole file raises ImportFileError; a problem with one row becomes that row's rejection.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from app.complaints.cases import ThreadPost
from app.complaints.intake import ComplaintInput
from app.complaints.models import ImportFormat
from app.core.errors import DomainError

TWCS_REQUIRED = ("tweet_id", "author_id", "inbound", "created_at", "text")
#: The channel of every row of a twcs file.
TWCS_CHANNEL = "x"

#: Generic files: our field name, then the other column names we accept for it.
GENERIC_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "message", "complaint", "content"),
    "channel": ("channel", "source_channel", "platform"),
    "author_handle": ("author_handle", "handle", "author", "username", "user", "email"),
    "author_name": ("author_name", "name", "customer_name", "customer"),
    "url": ("url", "link", "permalink"),
    "received_at": ("received_at", "created_at", "date", "timestamp", "time"),
    "external_id": ("external_id", "id", "message_id", "tweet_id"),
}

_DATE_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d",
)


class ImportFileError(DomainError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class Record:
    row_number: int
    data: ComplaintInput | None = None
    #: Why the row was rejected while reading it (bad date, missing text...).
    problem: str | None = None
    #: A row that is not a complaint (a brand's reply in a twcs file): counted, never a
    #: complaint; its `post` is kept in the customer's case when it answers one.
    ignored: bool = False
    #: Where the row sits in the file's reply threads (twcs): linked into cases after the
    #: rows are stored (`app.complaints.cases.link_threads`).
    post: ThreadPost | None = None


def decode(payload: bytes, encoding: str | None = None) -> str:
    """Text of an uploaded file. UTF-8 (with or without BOM) and UTF-16 with BOM are
    recognised; anything else needs its encoding named."""
    if not payload.strip():
        raise ImportFileError("The file is empty.")
    if payload.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not encoding:
        encoding = "utf-16"
    chosen = encoding or "utf-8-sig"
    try:
        codecs.lookup(chosen)
    except LookupError as exc:
        raise ImportFileError(f"Unknown encoding {encoding!r}.") from exc
    try:
        text = payload.decode(chosen)
    except UnicodeDecodeError as exc:
        line = payload[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not valid {encoding or 'UTF-8'}: byte 0x{payload[exc.start]:02x} on "
            f"line {line} cannot be read. Save the file as UTF-8, or choose its encoding "
            "(for example Windows-1252) and import again."
        ) from exc
    return text.replace("\x00", "")


def detect_format(filename: str, text: str) -> ImportFormat:
    stripped = text.lstrip()
    if filename.lower().endswith((".json", ".jsonl", ".ndjson")) or stripped[:1] in ("[", "{"):
        return ImportFormat.JSON
    header = {name.strip().lower() for name in next(csv.reader(io.StringIO(stripped)), [])}
    if {"tweet_id", "inbound"} <= header:
        return ImportFormat.TWCS
    return ImportFormat.CSV


def parse_time(value: str) -> datetime:
    """A time from a file. Without a zone it is taken as UTC."""
    value = value.strip()
    if not value:
        raise ValueError("empty")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for pattern in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"cannot read the time {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _csv_reader(text: str, max_field: int) -> csv.DictReader:
    csv.field_size_limit(max(max_field, 131072))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise ImportFileError("The file has no header row.")
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    return reader


def _iterate_csv(reader: csv.DictReader) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise ImportFileError(
            f"The CSV cannot be read after line {reader.line_num}: {exc}."
        ) from exc


def _twcs_id(value: str | None) -> str:
    """A tweet id as the file writes it, "3.0" read as "3"."""
    value = (value or "").strip()
    if value.endswith(".0") and value[:-2].isdigit():
        return value[:-2]
    return value


def read_twcs(text: str, *, max_field: int) -> Iterator[Record]:
    """Customers' rows become complaints; brands' rows are not complaints, but are kept
    with their reply link so that the import can show them in the customer's case.

    Twitter's API escapes "&", "<" and ">" in tweet text as HTML entities; they are
    decoded here, once (so "&amp;amp;" becomes "&amp;"), and the text is stored plain:
    templates escape it on display."""
    reader = _csv_reader(text, max_field)
    missing = [name for name in TWCS_REQUIRED if name not in reader.fieldnames]
    if missing:
        raise ImportFileError(
            "This is not a Customer Support on Twitter file: the columns "
            f"{', '.join(missing)} are missing (found: {', '.join(reader.fieldnames) or 'none'})."
        )
    for line, row in _iterate_csv(reader):
        inbound = (row.get("inbound") or "").strip().lower()
        tweet_id = _twcs_id(row.get("tweet_id"))
        parent = _twcs_id(row.get("in_response_to_tweet_id"))
        author = (row.get("author_id") or "").strip()
        body = html.unescape(row.get("text") or "")
        if inbound in ("false", "0", "no"):
            try:
                sent_at = parse_time(row.get("created_at") or "")
            except ValueError:
                sent_at = None
            post = ThreadPost(tweet_id, parent, author, is_reply=True, text=body, sent_at=sent_at)
            yield Record(line, ignored=True, post=post)
            continue
        if inbound not in ("true", "1", "yes"):
            yield Record(line, problem=f"inbound must be True or False, not {inbound[:20]!r}")
            continue
        try:
            received_at = parse_time(row.get("created_at") or "")
        except ValueError as exc:
            yield Record(line, problem=f"created_at: {exc}")
            continue
        yield Record(
            line,
            ComplaintInput(
                channel=TWCS_CHANNEL,
                text=body,
                received_at=received_at,
                author_handle=author,
                external_id=tweet_id,
                source="twcs",
            ),
            post=ThreadPost(tweet_id, parent, author, is_reply=False),
        )


def _pick(row: dict, field_name: str) -> str:
    for column in GENERIC_FIELDS[field_name]:
        value = row.get(column)
        if value not in (None, ""):
            return value if isinstance(value, str) else str(value)
    return ""


def _generic_record(number: int, row: dict, default_channel: str | None, source: str) -> Record:
    received_raw = _pick(row, "received_at")
    received_at = None
    if received_raw:
        try:
            received_at = parse_time(received_raw)
        except ValueError as exc:
            return Record(number, problem=f"received_at: {exc}")
    return Record(
        number,
        ComplaintInput(
            channel=_pick(row, "channel") or (default_channel or ""),
            text=_pick(row, "text"),
            received_at=received_at,
            author_handle=_pick(row, "author_handle"),
            author_name=_pick(row, "author_name"),
            url=_pick(row, "url"),
            external_id=_pick(row, "external_id"),
            source=source,
        ),
    )


def read_generic_csv(text: str, *, default_channel: str | None, max_field: int) -> Iterator[Record]:
    reader = _csv_reader(text, max_field)
    columns = set(reader.fieldnames)
    if not columns & set(GENERIC_FIELDS["text"]):
        raise ImportFileError(
            "The file has no text column (name one of: "
            f"{', '.join(GENERIC_FIELDS['text'])}; found: {', '.join(reader.fieldnames)})."
        )
    if not default_channel and not columns & set(GENERIC_FIELDS["channel"]):
        raise ImportFileError(
            "The file has no channel column: add one, or choose the channel "
            "for every row when importing."
        )
    for line, row in _iterate_csv(reader):
        if None in row:  # more cells than header columns
            yield Record(line, problem="the row has more cells than the header has columns")
            continue
        yield _generic_record(line, row, default_channel, "csv")


def read_json(text: str, *, default_channel: str | None) -> Iterator[Record]:
    stripped = text.strip()
    items: list[tuple[int, object]]
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError as exc:
        lines = stripped.splitlines()
        if len(lines) > 1 and lines[0].lstrip().startswith("{"):
            items = []
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    items.append((number, json.loads(line)))
                except json.JSONDecodeError as line_exc:
                    items.append((number, f"not valid JSON ({line_exc.msg})"))
        else:
            raise ImportFileError(
                f"The JSON cannot be read: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from exc
    else:
        if isinstance(document, dict) and isinstance(document.get("complaints"), list):
            document = document["complaints"]
        elif isinstance(document, dict):
            document = [document]
        if not isinstance(document, list):
            raise ImportFileError(
                'The JSON must be a list of complaints, or an object with a "complaints" list.'
            )
        items = list(enumerate(document, start=1))
    for number, item in items:
        if isinstance(item, str):
            yield Record(number, problem=item)
        elif not isinstance(item, dict):
            yield Record(number, problem='each complaint must be an object with a "text" field')
        else:
            yield _generic_record(number, item, default_channel, "json")


def read(
    payload: bytes,
    *,
    filename: str,
    fmt: ImportFormat | None,
    encoding: str | None,
    default_channel: str | None,
    max_field: int,
) -> tuple[ImportFormat, list[Record]]:
    """Every record of the file, numbered, with the format that was used to read it."""
    text = decode(payload, encoding)
    fmt = fmt or detect_format(filename, text)
    if fmt is ImportFormat.TWCS:
        records = list(read_twcs(text, max_field=max_field))
    elif fmt is ImportFormat.CSV:
        records = list(read_generic_csv(text, default_channel=default_channel, max_field=max_field))
    else:
        records = list(read_json(text, default_channel=default_channel))
    if not records:
        raise ImportFileError("The file has a header but no rows.")
    return fmt, records
