from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.db import Base


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


class Notification(Base):
    """An in-app message for the person who must act next."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    #: Sent by e-mail too (only when SMTP is configured); the error of the last try if not.
    emailed_at: Mapped[datetime | None]
    email_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)
