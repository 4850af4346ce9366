"""The rate-limit counters (`app.serving.counters`), one row per limit, key and window."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class RateLimitCounter(Base):
    """A fixed-window counter of the rate limits, shared by every worker through the
    database. A row whose window has passed counts as zero and starts again on its next
    hit; old rows are swept now and then."""

    __tablename__ = "rate_limit_counters"

    #: Flask-Limiter's key: "LIMITER/<who>/<endpoint>/<amount>/<multiples>/<unit>".
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    #: When the window ends, in seconds since the epoch (the clock `limits` reads).
    expires_at: Mapped[float] = mapped_column(index=True)

    __table_args__ = (CheckConstraint("hits >= 0", name="hits_not_negative"),)
