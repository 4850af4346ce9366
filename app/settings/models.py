from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.db import Base

if TYPE_CHECKING:
    from app.accounts.models import User


class Setting(Base):
    """One admin-set value overriding its default from configuration.

    Keys are namespaced: `company.name`, `company.phone`, `policy.cooling_off_base_seconds`.
    A key absent here means "use the configured default".
    """

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TemplateVersion(Base):
    """One saved version of one reply variant, made on Admin → Template library.

    The files in `response_templates/` are the shipped defaults; a variant's latest version
    here is in force instead of the file's (or takes it out, when `retired`). Versions are
    only added, never changed: going back to an earlier one adds a copy of it.
    """

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("variant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    part: Mapped[str] = mapped_column(String(32))
    variant_id: Mapped[str] = mapped_column(String(100), index=True)
    #: The market the version is for; None: every market.
    market: Mapped[str | None] = mapped_column(String(32))
    #: 1, 2, … per variant (over all markets).
    number: Mapped[int]
    #: The variant as YAML (`id`, `text`, `suits` …); empty when `retired`.
    source: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()
