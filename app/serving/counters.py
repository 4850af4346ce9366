"""A `limits` storage in the app's own database: rate limits shared by every gunicorn
worker and every server without a Redis or memcached to run.

`RATELIMIT_STORAGE_URI = "database://"` selects it (the scheme is registered when this
module is imported). Each hit is one atomic upsert (`INSERT … ON CONFLICT DO UPDATE …
RETURNING`, on SQLite and PostgreSQL alike) on its own short transaction, so counts are
kept whatever the request then does. Only the fixed-window strategy is supported: the one
Flask-Limiter uses by default.
"""

from __future__ import annotations

import itertools
import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.serving.models import RateLimitCounter

_TABLE = RateLimitCounter.__table__
#: Every this many hits (per process) rows whose window ended a while ago are deleted.
SWEEP_EVERY = 500
#: How long past its window a row is kept (a row still in use is simply reset).
SWEEP_AFTER_SECONDS = 3600


class DatabaseStorage(Storage):
    """Fixed-window counters in the table `rate_limit_counters`, through the current app's
    engine (so one storage object serves every app of a process, as in the tests)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        ended = _TABLE.c.expires_at <= now
        insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert
        statement = (
            insert(_TABLE)
            .values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[_TABLE.c.key],
                set_={
                    "hits": sa.case((ended, amount), else_=_TABLE.c.hits + amount),
                    "expires_at": sa.case((ended, now + expiry), else_=_TABLE.c.expires_at),
                },
            )
            .returning(_TABLE.c.hits)
        )
        with db.engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
            if next(self._hits) % SWEEP_EVERY == 0:
                connection.execute(
                    sa.delete(_TABLE).where(_TABLE.c.expires_at < now - SWEEP_AFTER_SECONDS)
                )
        return hits

    def get(self, key: str) -> int:
        with db.engine.connect() as connection:
            hits = connection.scalar(
                sa.select(_TABLE.c.hits).where(
                    _TABLE.c.key == key, _TABLE.c.expires_at > time.time()
                )
            )
        return hits or 0

    def get_expiry(self, key: str) -> float:
        with db.engine.connect() as connection:
            expires_at = connection.scalar(
                sa.select(_TABLE.c.expires_at).where(_TABLE.c.key == key)
            )
        now = time.time()
        return expires_at if expires_at is not None and expires_at > now else now

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(sa.delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(_TABLE).where(_TABLE.c.key == key))
