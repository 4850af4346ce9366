"""The publication outbox and the e-mail copies of notifications, against real servers: a
webhook receiver on 127.0.0.1 that checks every signature and fails on purpose, and an
SMTP server (aiosmtpd). Time is moved by the frozen clock; nothing sleeps for a back-off."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit import log as audit
from app.audit.models import AuditEvent
from app.drafts.models import Publication, PublicationStatus
from app.drafts.workflow import Action
from app.extensions import db
from app.notifications.models import Notification
from app.publishing import outbox
from app.publishing.adapters import WebhookAdapter
from app.publishing.jobs import RunReport, deliver_due
from app.publishing.outbox import PublishingError
from tests.fixtures.app import T0
from tests.fixtures.mail import mail_config
from tests.fixtures.publishing import (
    LOCAL,
    POSTED,
    RETRY,
    SECRET,
    Receiver,
    published,
)
from tests.fixtures.workflow import POLICY, act, person, start

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@contextmanager
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def publication_events(publication_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity_type == "publication", AuditEvent.entity_id == publication_id)
            .order_by(AuditEvent.id)
        )
    )


def notified(kind: str) -> set[str]:
    """The e-mail addresses of everyone holding a notice of this kind."""
    from app.accounts.models import User

    return set(
        db.session.scalars(
            sa.select(User.email)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == kind)
        )
    )


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@BOTH
def test_a_failing_webhook_is_retried_after_the_back_off_and_posts_once(app, users, clock):
    publication_id = published(app, users, clock)
    with Receiver(failures=2) as receiver, app.app_context():
        adapter = WebhookAdapter(receiver.url, SECRET, timeout_seconds=5, targets=LOCAL)

        def run() -> RunReport:
            return deliver_due(db.session, adapter, clock=clock.now, retry=RETRY)

        assert run() == RunReport(claimed=1, retrying=1)
        publication = db.session.get(Publication, publication_id)
        assert publication.status == PublicationStatus.PENDING
        assert publication.attempts == 1
        assert publication.next_attempt_at == clock.now() + timedelta(seconds=30)
        assert "503" in publication.last_error
        # Nothing more until the back-off has passed: 30 s, then 60 s.
        assert run() == RunReport()
        clock.advance(seconds=29)
        assert run() == RunReport()
        assert len(receiver.requests) == 1
        clock.advance(seconds=1)
        assert run() == RunReport(claimed=1, retrying=1)
        clock.advance(seconds=59)
        assert run() == RunReport()
        clock.advance(seconds=1)
        assert run() == RunReport(claimed=1, delivered=1)
        assert run() == RunReport()

        publication = db.session.get(Publication, publication_id)
        assert publication.status == PublicationStatus.DELIVERED
        assert publication.attempts == 3
        assert publication.delivered_at == clock.now()
        assert publication.external_url == POSTED
        assert publication.last_error is None
        assert len(receiver.requests) == 3
        assert {r["key"] for r in receiver.requests} == {publication.idempotency_key}
        assert all(r["signed"] for r in receiver.requests)
        assert all(r["body"] == publication.payload for r in receiver.requests)
        assert receiver.requests[0]["body"]["channel"] == "x"
        assert publication_events(publication_id) == [
            "publication.retry_scheduled",
            "publication.retry_scheduled",
            "publication.delivered",
        ]
        assert list(audit.verify(db.session)) == []


def test_a_refusing_receiver_fails_the_delivery_at_once_and_people_hear(app, users, clock):
    publication_id = published(app, users, clock)
    with Receiver(failures=1, failure_status=400) as receiver, app.app_context():
        adapter = WebhookAdapter(receiver.url, SECRET, timeout_seconds=5, targets=LOCAL)
        report = deliver_due(db.session, adapter, clock=clock.now, retry=RETRY)
        assert report == RunReport(claimed=1, failed=1)
        clock.advance(hours=2)
        assert deliver_due(db.session, adapter, clock=clock.now, retry=RETRY) == RunReport()
        assert len(receiver.requests) == 1
        publication = db.session.get(Publication, publication_id)
        assert publication.status == PublicationStatus.FAILED
        assert publication.attempts == 1
        assert publication.next_attempt_at is None
        assert publication.last_error == "HTTP 400 Bad Request"
        assert notified("delivery_failed") == {users["agent"].email, users["admin"].email}
        assert publication_events(publication_id) == ["publication.failed"]


def test_a_redirect_is_not_taken_for_a_delivery(app, users, clock):
    """urllib would follow it with a GET of the other page, whose 200 is no delivery."""
    publication_id = published(app, users, clock)
    with Receiver(failures=1, failure_status=302) as receiver, app.app_context():
        adapter = WebhookAdapter(receiver.url, SECRET, timeout_seconds=5, targets=LOCAL)
        report = deliver_due(db.session, adapter, clock=clock.now, retry=RETRY)
        assert report == RunReport(claimed=1, failed=1)
        assert [request["method"] for request in receiver.requests] == ["POST"]
        publication = db.session.get(Publication, publication_id)
        assert publication.status == PublicationStatus.FAILED
        assert "redirects to /landing" in publication.last_error
        assert "PUBLISH_WEBHOOK_URL" in publication.last_error


def test_a_receiver_that_is_down_is_retried_until_the_last_attempt(app, users, clock):
    publication_id = published(app, users, clock)
    app.config.update(PUBLISH_WEBHOOK_SECRET=SECRET, PUBLISH_MAX_ATTEMPTS=3)
    app.config["PUBLISH_RETRY_BASE_SECONDS"] = 10
    with closed_port() as port:
        app.config["PUBLISH_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/hooks/composure"
        first = cli(app, "outbox", "run", "--once")
        assert "deliveries: 0 delivered, 1 to retry, 0 failed" in first.output
        clock.advance(seconds=10)
        assert "1 to retry" in cli(app, "outbox", "run", "--once").output
        clock.advance(seconds=19)
        assert "deliveries" not in cli(app, "outbox", "run", "--once").output
        clock.advance(seconds=1)
        last = cli(app, "outbox", "run", "--once")
        assert last.exit_code == 0, last.output
        assert "deliveries: 0 delivered, 0 to retry, 1 failed" in last.output
    with app.app_context():
        publication = db.session.get(Publication, publication_id)
        assert publication.status == PublicationStatus.FAILED
        assert publication.attempts == 3
        assert "Could not reach the webhook" in publication.last_error
        assert "refused" in publication.last_error.lower()
        assert notified("delivery_failed") == {users["agent"].email, users["admin"].email}
        assert publication_events(publication_id) == [
            "publication.retry_scheduled",
            "publication.retry_scheduled",
            "publication.failed",
        ]
    status = cli(app, "outbox", "status").output
    assert "webhook  failed     1" in status
    assert f"failed: publication {publication_id}" in status
    assert "after 3 attempts: Could not reach the webhook" in status


@BOTH
def test_outbox_run_once_delivers_and_prints_the_counts(app, users, clock):
    assert "Nothing published yet." in cli(app, "outbox", "status").output
    publication_id = published(app, users, clock)
    assert "webhook  pending    1" in cli(app, "outbox", "status").output
    with Receiver() as receiver:
        app.config.update(PUBLISH_WEBHOOK_URL=receiver.url, PUBLISH_WEBHOOK_SECRET=SECRET)
        result = cli(app, "outbox", "run", "--once")
        assert result.exit_code == 0, result.output
        assert "deliveries: 1 delivered, 0 to retry, 0 failed, 0 taken over" in result.output
        assert "deliveries" not in cli(app, "outbox", "run", "--once").output
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["signed"]
    status = cli(app, "outbox", "status")
    assert status.exit_code == 0
    assert "webhook  delivered  1" in status.output
    assert "failed:" not in status.output
    with app.app_context():
        publication = db.session.get(Publication, publication_id)
        assert publication.external_url == POSTED
        assert receiver.requests[0]["key"] == publication.idempotency_key


def test_outbox_run_refuses_an_unsigned_webhook_and_says_why(app, users, clock):
    published(app, users, clock)
    waiting = cli(app, "outbox", "run", "--once")
    assert waiting.exit_code == 0
    assert "No PUBLISH_WEBHOOK_URL: webhook deliveries wait until one is set." in waiting.output
    app.config.update(PUBLISH_WEBHOOK_URL="http://127.0.0.1:9/hooks", PUBLISH_WEBHOOK_SECRET="")
    refused = cli(app, "outbox", "run", "--once")
    assert refused.exit_code == 1
    assert "PUBLISH_WEBHOOK_SECRET is not" in refused.output
    assert "deliveries must be signed" in refused.output
    assert "webhook  pending    1" in cli(app, "outbox", "status").output


def test_the_manual_adapter_records_the_link_once(app, users, clock):
    publication_id = published(app, users, clock, policy=POLICY)
    with app.app_context():
        agent = person(users, "agent")
        publication = db.session.get(Publication, publication_id)
        assert publication.adapter == "manual"
        assert publication.next_attempt_at is None
        adapter = WebhookAdapter("http://127.0.0.1:9/never", SECRET, targets=LOCAL)
        assert deliver_due(db.session, adapter, clock=clock.now, retry=RETRY) == RunReport()
        publication = db.session.get(Publication, publication_id)
        for bad in ("", "x.com/northwind/status/1", "https://x.com/a b", "javascript:alert(1)"):
            with pytest.raises(PublishingError, match="Paste the full link"):
                outbox.record_link(db.session, publication, bad, actor=agent, now=clock.now())
        assert publication.status == PublicationStatus.PENDING
        assert publication_events(publication_id) == []

        outbox.record_link(db.session, publication, f"  {POSTED}  ", actor=agent, now=clock.now())
        db.session.commit()
        delivered_at = clock.now()
        clock.advance(minutes=5)
        outbox.record_link(db.session, publication, POSTED, actor=agent, now=clock.now())
        db.session.commit()
        publication = db.session.get(Publication, publication_id)
        assert publication.status == PublicationStatus.DELIVERED
        assert publication.external_url == POSTED
        assert publication.delivered_at == delivered_at
        assert publication_events(publication_id) == ["publication.delivered"]
        [event] = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "publication.delivered")
        )
        assert event.actor_id == agent.id
        assert event.details == {"adapter": "manual", "url": POSTED}
        assert list(audit.verify(db.session)) == []


def test_a_webhook_publication_takes_no_link_by_hand(app, users, clock):
    publication_id = published(app, users, clock)
    with app.app_context():
        publication = db.session.get(Publication, publication_id)
        with pytest.raises(PublishingError, match="delivered by the webhook"):
            outbox.record_link(
                db.session, publication, POSTED, actor=person(users, "agent"), now=clock.now()
            )


def submitted(app, users) -> tuple[int, int]:
    """A draft submitted for review: (its id, its complaint's id)."""
    with app.app_context():
        draft_id = start(app, users)
        draft = act(draft_id, Action.SUBMIT, person(users, "agent"))
        return draft_id, draft.complaint_id


@BOTH
def test_a_submitted_draft_is_emailed_to_the_reviewer(app, users, smtp_server):
    port, inbox = smtp_server
    mail_config(app, port)
    draft_id, complaint_id = submitted(app, users)
    with app.app_context():
        [notice] = db.session.scalars(sa.select(Notification)).all()
        assert notice.user_id == users["reviewer"].id
        assert notice.kind == "review_requested"
        assert notice.link == f"/drafts/{draft_id}/review"
        assert notice.emailed_at is None
    result = cli(app, "outbox", "run", "--once")
    assert result.exit_code == 0, result.output
    assert "e-mails: 1 sent, 0 refused" in result.output
    [(recipients, message)] = inbox.messages
    assert recipients == [users["reviewer"].email]
    assert message["To"] == users["reviewer"].email
    assert message["From"] == "composure@northwind.example"
    assert message["Subject"] == (
        f"Composure: Alex Agent asks for a review of draft #{draft_id} (complaint #{complaint_id})."
    )
    body = message.get_content()
    assert "Hello Riya Reviewer," in body
    assert f"https://composure.northwind.example/drafts/{draft_id}/review" in body
    with app.app_context():
        notice = db.session.scalars(sa.select(Notification)).one()
        assert notice.emailed_at == T0
        assert notice.email_error is None
        assert notice.read_at is None  # e-mailed, still unread in the app
    assert "e-mails" not in cli(app, "outbox", "run", "--once").output
    assert len(inbox.messages) == 1


def test_a_notice_waits_while_the_smtp_server_is_down_and_goes_once_it_is_up(
    app, users, smtp_server
):
    draft_id, _ = submitted(app, users)
    with closed_port() as port:
        mail_config(app, port)
        result = cli(app, "outbox", "run", "--once")
        assert result.exit_code == 0, result.output
        assert "e-mail server unreachable" in result.output
    with app.app_context():
        notice = db.session.scalars(sa.select(Notification)).one()
        assert notice.link == f"/drafts/{draft_id}/review"
        assert notice.emailed_at is None  # not lost: released for the next run
        assert notice.email_error is None
    port, inbox = smtp_server
    mail_config(app, port)
    assert "e-mails: 1 sent" in cli(app, "outbox", "run", "--once").output
    assert len(inbox.messages) == 1
