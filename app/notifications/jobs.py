"""The e-mail worker's loop: claim each notice not yet e-mailed, send it, record what came
of it, committing after each step so that several workers never send one notice twice.
Run by `flask --app wsgi worker run` (or `flask outbox run`), never inside a request."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.notifications.mail import MAX_AGE, PER_MESSAGE_ERRORS, Mailer, MailReport
from app.notifications.models import Notification

#: (recipient's name, the notice, their language or None, the link) -> (subject, body).
Compose = Callable[[str, str, str | None, str], tuple[str, str]]


def in_english(name: str, message: str, language: str | None, link: str) -> tuple[str, str]:
    """The e-mail as it reads without the web layer's translations."""
    return f"Composure: {message[:80]}", f"Hello {name},\n\n{message}\n\n{link}\n"


def send_pending(
    session: Session,
    mailer: Mailer,
    *,
    now: datetime,
    limit: int = 200,
    on_sent: Callable[[int, str], None] | None = None,
    compose: Compose = in_english,
) -> MailReport:
    """E-mail the notices not sent yet. Each is claimed first (a conditional update of
    `emailed_at`), so several workers never send the same one twice. When the server is
    down the claim is released and the run stops: the notice is tried again next run,
    for as long as it is less than MAX_AGE old."""
    report = MailReport()
    rows = session.execute(
        select(Notification.id, User.email, User.name, User.language)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            Notification.read_at.is_(None),
            Notification.email_error.is_(None),
            Notification.created_at >= now - MAX_AGE,
        )
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    session.rollback()
    for notification_id, email, name, language in rows:
        claimed = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.emailed_at.is_(None))
            .values(emailed_at=now)
        ).rowcount
        session.commit()
        if not claimed:
            continue
        notification = session.get(Notification, notification_id)
        link = mailer.base_url.rstrip("/") + notification.link if notification.link else ""
        try:
            mailer.send(email, *compose(name, notification.message, language, link))
        except PER_MESSAGE_ERRORS as error:
            notification.email_error = (str(error) or error.__class__.__name__)[:500]
            notification.emailed_at = None
            report.failed += 1
        except (OSError, smtplib.SMTPException) as error:
            notification.emailed_at = None
            session.commit()
            report.server_down = str(error) or error.__class__.__name__
            return report
        else:
            report.sent += 1
            if on_sent is not None:
                on_sent(notification_id, email)
        session.commit()
    return report
