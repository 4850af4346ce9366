"""What a row id can be: 1 up to PostgreSQL's INTEGER maximum (SQLite's limit is higher).

Ids arrive from the outside in paths, query strings, forms and JSON; a number outside this
range names nothing, so it is "not found", never a database overflow.
"""

from __future__ import annotations

#: PostgreSQL's INTEGER (int4) maximum, the smallest id column we have.
MAX_ID = 2**31 - 1


def is_valid_id(value: int) -> bool:
    return 1 <= value <= MAX_ID


def parse_id(raw: str) -> int:
    """An id from text, or ValueError: for Werkzeug's `request.form.get(name, type=parse_id)`,
    which then answers None, as for any other value that is not a number."""
    if len(raw) > 12:
        raise ValueError("not an id")
    value = int(raw)
    if not is_valid_id(value):
        raise ValueError("not an id")
    return value


def parse_count(raw: str) -> int:
    """A whole number from 0 to MAX_ID (offsets, revision numbers), or ValueError."""
    if len(raw) > 12:
        raise ValueError("out of range")
    value = int(raw)
    if not 0 <= value <= MAX_ID:
        raise ValueError("out of range")
    return value
