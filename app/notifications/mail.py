"""E-mail copies of notifications, through SMTP when it is configured (MAIL_SERVER).
Sent by `flask --app wsgi outbox run`, never inside a request. No Flask."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.notifications.models import Notification

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
    failed: int = 0  #: refused for good (bad address); the error stays on the notice
    #: The server could not be reached: nothing more was tried this run, and the notices
    #: wait for the next one.
    server_down: str = ""


#: Errors about one message (its recipient, its content): trying again will not help.
_PER_MESSAGE = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)


def send_pending(
    session: Session, mailer: Mailer, *, now: datetime, limit: int = 200
) -> MailReport:
    """E-mail the notices not sent yet. Each is claimed first (a conditional update of
    `emailed_at`), so several workers never send the same one twice. When the server is
    down the claim is released and the run stops: the notice is tried again next run,
    for as long as it is less than MAX_AGE old."""
    report = MailReport()
    rows = session.execute(
        select(Notification.id, User.email, User.name)
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
    for notification_id, email, name in rows:
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
            mailer.send(
                email,
                f"Composure: {notification.message[:80]}",
                f"Hello {name},\n\n{notification.message}\n\n{link}\n",
            )
        except _PER_MESSAGE as error:
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
        session.commit()
    return report
