"""E-mail copies of notifications, through SMTP when it is configured (MAIL_SERVER).
Sent by `flask --app wsgi outbox run`, never inside a request. No Flask."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.settings.models import Notification

#: Notices older than this are not e-mailed (SMTP configured late, or down for a day).
MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int = 587
    username: str = ""
    password: str = ""
    use_tls: bool = True
    sender: str = "composure@localhost"
    base_url: str = "http://127.0.0.1:5000"
    timeout_seconds: float = 10.0

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


@dataclass
class MailReport:
    sent: int = 0
    failed: int = 0


def send_pending(
    session: Session, mailer: Mailer, *, now: datetime, limit: int = 200
) -> MailReport:
    """E-mail notices not sent yet (one try each per run; errors are kept on the row)."""
    report = MailReport()
    rows = session.execute(
        select(Notification, User)
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
    for notification, user in rows:
        link = mailer.base_url.rstrip("/") + notification.link if notification.link else ""
        try:
            mailer.send(
                user.email,
                f"Composure: {notification.message[:80]}",
                f"Hello {user.name},\n\n{notification.message}\n\n{link}\n",
            )
        except (OSError, smtplib.SMTPException) as error:
            notification.email_error = str(error)[:500] or error.__class__.__name__
            report.failed += 1
        else:
            notification.emailed_at = now
            report.sent += 1
        session.commit()
    return report
