"""E-mail copies of notifications, through SMTP when it is configured (MAIL_SERVER): the
mailer and what a run reports. The worker that sends them is `app.notifications.jobs`.
No Flask."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

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
PER_MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPSenderRefused,
)
