"""The workers (issue 17): import jobs held by a lease and resumed where a dead process left
them, outbox claims that a dead worker delays by seconds, the webhook addresses an operator
may choose, the clocks' warnings, and `flask worker run` itself. Time is the frozen clock:
a lease "runs out" because the clock is moved, never because a test sleeps."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import create_app, services
from app.audit import log as audit
from app.audit.models import AuditEvent
from app.complaints import assignment, clocks, imports, jobs
from app.complaints.models import (
    BreachWarning,
    Channel,
    Complaint,
    ImportJob,
    ImportRowIssue,
    ImportStatus,
    Market,
    MarketTarget,
)
from app.drafts.models import Publication, PublicationStatus
from app.extensions import db
from app.notifications.models import Notification
from app.publishing import outbox
from app.publishing.adapters import TargetRefused, WebhookAdapter, WebhookTargets
from app.publishing.jobs import RunReport, deliver_due
from app.workers.cli import stopped_by_signals
from app.workers.loop import Worker
from tests.fixtures.app import T0, base_config, pending_changes, run
from tests.fixtures.complaints import CALM, add_complaint
from tests.fixtures.mail import mail_config
from tests.fixtures.publishing import LOCAL, SECRET, Receiver, published
from tests.fixtures.users import get_user
from tests.fixtures.web import main_form, web_login

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
LEASE = timedelta(seconds=60)
ROWS, BATCH = 60, 20


def csv_payload(rows: int = ROWS) -> bytes:
    """A file whose row 50 repeats row 3 (the same external id): after a takeover at row
    20 it must still be "the same complaint as row 3 of this file"."""
    lines = ["external_id,channel,text,received_at"]
    for n in range(rows):
        ident = 1 if n == 48 else n  # line 50 of the file: the complaint of line 3
        lines.append(f"{ident},x,Complaint {ident} about order NW-{ident},2026-11-20T10:00:00Z")
    return ("\n".join(lines) + "\n").encode()


def queued_job(app, payload: bytes | None = None) -> int:
    with app.app_context():
        job = imports.create_job(
            db.session,
            payload=payload or csv_payload(),
            filename="feed.csv",
            fmt=None,
            encoding=None,
            default_channel=None,
            actor=None,
            limits=imports.ImportLimits(50_000, 10_000_000, BATCH),
            now=T0,
        )
        db.session.commit()
        return job.id


class Died(Exception):
    """The process running the import was killed (kill -9): nothing more happens."""


def die_after_first_batch(app, clock, job_id: int, worker: str = "web-1") -> None:
    """Claim the job as `worker`, commit its first batch with the lease renewed, then stop
    dead: no release, no rollback of what was committed."""
    limits = imports.ImportLimits(50_000, 10_000_000, BATCH)
    with app.app_context():
        job = imports.claim(db.session, worker=worker, now=clock.now(), lease=LEASE)
        assert job is not None
        assert job.id == job_id
        db.session.commit()

        def checkpoint(current: ImportJob) -> None:
            imports.renew(db.session, current.id, worker=worker, now=clock.now(), lease=LEASE)
            db.session.commit()
            if current.processed_rows >= BATCH:
                raise Died

        with pytest.raises(Died):
            imports.run(db.session, job, limits=limits, now=clock.now, checkpoint=checkpoint)
        db.session.remove()


@BOTH
def test_an_import_left_by_a_dead_process_is_taken_over_and_resumed_without_duplicates(app, clock):
    app.config.update(IMPORT_BATCH_SIZE=BATCH, IMPORT_LEASE_SECONDS=60)
    job_id = queued_job(app)
    die_after_first_batch(app, clock, job_id)
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        assert (job.status, job.processed_rows, job.imported_count) == ("running", 20, 20)
        assert not job.stalled(clock.now())
        # Its lease holds for a minute after the last batch: nobody else may take it.
        clock.advance(seconds=59)
        assert imports.claim(db.session, worker="w-2", now=clock.now(), lease=LEASE) is None
        db.session.rollback()
        clock.advance(seconds=1)
        assert db.session.get(ImportJob, job_id).stalled(clock.now())

    job = jobs.run_job(app, worker="w-2")  # a worker's imports step
    assert job.id == job_id
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        assert job.status is ImportStatus.DONE
        assert (job.resumes, job.claimed_by, job.lease_expires_at) == (1, "w-2", None)
        assert job.processed_rows == job.total_rows == ROWS
        assert (job.imported_count, job.duplicate_count) == (ROWS - 1, 1)
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(Complaint))
        distinct = db.session.scalar(sa.select(sa.func.count(sa.distinct(Complaint.external_id))))
        assert stored == distinct == ROWS - 1
        issues = db.session.execute(
            sa.select(ImportRowIssue.row_number, ImportRowIssue.reason)
        ).all()
        assert issues == [(50, "same complaint as row 3 of this file")]
        resumed = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "import.resumed")
        )
        assert resumed.details == {"from": "web-1", "by": "w-2", "after_row": 20}
        assert list(audit.verify(db.session)) == []
    assert jobs.run_job(app, worker="w-3") is None  # nothing left to claim


@BOTH
def test_a_process_that_lost_its_lease_stops_and_its_batch_is_rolled_back(app, clock):
    job_id = queued_job(app)
    with app.app_context():
        assert imports.claim(db.session, worker="slow", now=clock.now(), lease=LEASE)
        db.session.commit()
        # Two at once: the lease holds, so the second gets nothing.
        assert imports.claim(db.session, worker="other", now=clock.now(), lease=LEASE) is None
        db.session.rollback()
        clock.advance(seconds=61)  # "slow" stalled past its lease; "other" takes over
        assert imports.claim(db.session, worker="other", now=clock.now(), lease=LEASE)
        db.session.commit()
        job = db.session.get(ImportJob, job_id)
        job.imported_count = 999  # what "slow" was about to commit with its batch
        with pytest.raises(imports.LeaseLost):
            imports.renew(db.session, job_id, worker="slow", now=clock.now(), lease=LEASE)
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        assert (job.claimed_by, job.imported_count, job.resumes) == ("other", 0, 1)
        # A lease only while running: the database says so too.
        with pytest.raises(IntegrityError):
            db.session.execute(sa.update(ImportJob).values(status="done", finished_at=clock.now()))
        db.session.rollback()


def test_a_stopping_worker_gives_its_import_back_after_a_committed_batch(app, clock):
    app.config.update(IMPORT_BATCH_SIZE=BATCH)
    job_id = queued_job(app)
    asked = iter([False, True])
    job = jobs.run_job(app, worker="w-1", should_stop=lambda: next(asked, True))
    assert (job.status, job.processed_rows, job.lease_expires_at) == ("running", 40, T0)
    with app.app_context():
        assert db.session.get(ImportJob, job_id).stalled(clock.now())  # claimable at once
    assert jobs.run_job(app, worker="w-2").status is ImportStatus.DONE


def test_a_job_that_keeps_killing_its_process_is_failed_not_retried_for_ever(app, clock):
    job_id = queued_job(app)
    with app.app_context():
        for _ in range(imports.MAX_RESUMES + 1):
            assert imports.claim(db.session, worker="w", now=clock.now(), lease=LEASE)
            db.session.commit()
            clock.advance(seconds=61)
        assert imports.claim(db.session, worker="w", now=clock.now(), lease=LEASE) is None
        db.session.commit()
        job = db.session.get(ImportJob, job_id)
        assert job.status is ImportStatus.FAILED
        assert "stopped 6 times" in job.error


def test_the_progress_page_shows_a_stalled_import_then_this_process_resumes_it(
    app, users, web, clock
):
    """No worker running ("web" mode): the uploader's browser asks for the progress every
    second, and the web process that answers takes the job over once its lease ran out."""
    app.config.update(IMPORT_BATCH_SIZE=BATCH)
    web_login(web, users["agent"].email)
    job_id = queued_job(app)
    die_after_first_batch(app, clock, job_id)
    assert web.get(f"/imports/{job_id}/progress").json["stalled"] is False
    clock.advance(seconds=61)
    progress = web.get(f"/imports/{job_id}/progress").json
    assert progress["stalled"]
    assert progress["status"] == "running"
    assert progress["message"] == (
        "The process importing it stopped after 20 of 60 rows; "
        "it will be resumed from there in a moment."
    )
    assert "rows; it will be resumed from there" in web.get(f"/imports/{job_id}").text

    app.config["IMPORTS_IN_BACKGROUND"] = True  # as served: imports on the web's thread
    progress = web.get(f"/imports/{job_id}/progress").json
    deadline = time.monotonic() + 30
    while not progress["finished"] and time.monotonic() < deadline:
        time.sleep(0.05)
        progress = web.get(f"/imports/{job_id}/progress").json
    assert (progress["status"], progress["resumes"], progress["imported"]) == ("done", 1, 59)
    assert progress["stalled"] is False
    page = web.get(f"/imports/{job_id}")
    assert "Finished. Resumed once where the process importing it had stopped" in page.text


def test_with_imports_run_by_worker_the_upload_waits_for_a_worker(app, users, web):
    from webtest import Upload

    app.config.update(IMPORTS_IN_BACKGROUND=True, IMPORTS_RUN_BY="worker")
    web_login(web, users["agent"].email)
    form = main_form(web.get("/imports"))
    form["file"] = Upload("two.csv", b"text,channel\nfirst one,x\nsecond one,x\n", "text/csv")
    page = form.submit().follow()
    assert "Waiting for a worker to start it…" in page.text
    result = run(app, "worker", "run", "--once", "--only", "imports")
    assert result.exit_code == 0, result.output
    assert "imports: job 1 (two.csv) done: 2 imported, 0 duplicate, 0 rejected" in result.output
    assert web.get("/imports/1/progress").json["status"] == "done"


def test_imports_run_by_must_be_web_or_worker(database_url, clock):
    with pytest.raises(services.ConfigurationError, match="IMPORTS_RUN_BY must be web or worker"):
        create_app({**base_config(database_url, clock), "IMPORTS_RUN_BY": "cron"})


# The outbox: a dead worker's row waits seconds, not minutes.


@BOTH
def test_a_row_claimed_by_a_dead_worker_is_delivered_by_another_within_seconds(app, users, clock):
    retry = services.retry_policy(app.config)
    assert retry.lease_seconds == 25  # a 10 s webhook timeout, twice, and 5 s
    assert app.config["OUTBOX_CLAIM_SIZE"] == 1
    publication_id = published(app, users, clock)
    with Receiver() as receiver, app.app_context():
        adapter = WebhookAdapter(receiver.url, SECRET, timeout_seconds=10, targets=LOCAL)

        def worker(**kwargs) -> RunReport:
            return deliver_due(db.session, adapter, clock=clock.now, retry=retry, **kwargs)

        # A worker asked to stop gives back what it claimed and has not sent.
        asked = iter([False, True])
        assert worker(should_stop=lambda: next(asked)) == RunReport()
        publication = db.session.get(Publication, publication_id)
        assert (publication.attempts, publication.next_attempt_at) == (0, clock.now())

        # One killed after its claim: another worker sends the row once the lease ends.
        claims = outbox.claim_due(db.session, now=clock.now(), retry=retry, limit=5)
        db.session.commit()
        assert [claim.publication_id for claim in claims] == [publication_id]
        clock.advance(seconds=20)  # a claim of several rows renews each before sending it
        assert outbox.extend(db.session, claims[0], now=clock.now(), retry=retry)
        db.session.commit()
        clock.advance(seconds=24)
        assert worker() == RunReport()
        clock.advance(seconds=1)
        assert worker() == RunReport(claimed=1, delivered=1)
        publication = db.session.get(Publication, publication_id)
        assert (publication.status, publication.attempts) == (PublicationStatus.DELIVERED, 2)
        assert [request["key"] for request in receiver.requests] == [publication.idempotency_key]


# The webhook addresses an operator may choose.

STRICT = WebhookTargets()


@pytest.mark.parametrize(
    ("url", "targets", "said"),
    [
        ("file:///etc/hostname", STRICT, "must start with https:// (not file: scheme)"),
        ("ftp://hooks.example.com/x", STRICT, "must start with https://"),
        ("http://hooks.example.com/x", STRICT, "plain http:// is accepted only for localhost"),
        ("http://hooks.example.com/x", LOCAL, "plain http:// is accepted only for localhost"),
        ("http://127.0.0.1:8080/x", STRICT, "PUBLISH_WEBHOOK_ALLOW_HTTP_LOCALHOST=1"),
        ("https://localhost/x", STRICT, "is loopback"),
        ("https://[::1]/x", STRICT, "is loopback"),
        ("https://10.1.2.3/x", STRICT, "10.1.2.3 is private: list it in"),
        ("https://192.168.0.9/x", STRICT, "is private"),
        ("https://169.254.169.254/latest", STRICT, "is link-local"),
        ("https://[::ffff:169.254.169.254]/x", STRICT, "is link-local"),
        ("https://224.0.0.1/x", STRICT, "is multicast"),
        ("https://0.0.0.0/x", STRICT, "is unspecified"),
        ("https://240.0.0.1/x", STRICT, "is reserved"),
        ("https://user:pw@hooks.example.com/x", STRICT, "must not carry a user name"),
        ("https:///x", STRICT, "names no host"),
    ],
)
def test_webhook_addresses_nobody_chose_on_purpose_are_refused(url, targets, said):
    with pytest.raises(TargetRefused, match=said.replace("(", r"\(").replace(")", r"\)")):
        targets.check_url(url)


@pytest.mark.parametrize(
    ("url", "targets"),
    [
        ("https://hooks.example.com/composure", STRICT),
        ("https://93.184.215.14:8443/x", STRICT),
        ("http://127.0.0.1:8080/x", LOCAL),
        ("http://localhost:8080/x", LOCAL),
        ("https://10.1.2.3/x", WebhookTargets(allowed_hosts=("10.0.0.0/8",))),
        ("https://192.168.0.9/x", WebhookTargets(allowed_hosts=("192.168.0.9",))),
    ],
)
def test_webhook_addresses_chosen_on_purpose_pass(url, targets):
    targets.check_url(url)


def test_a_name_resolving_to_a_private_address_is_refused_at_delivery(monkeypatch):
    answers = {"hooks.example.com": "10.0.0.7"}

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    adapter = WebhookAdapter("https://hooks.example.com/composure", SECRET)
    delivery = adapter.deliver({"text": "hi"}, idempotency_key="k", now=T0)
    assert not delivery.ok
    assert not delivery.retry
    assert "hooks.example.com resolves to 10.0.0.7, which is private" in delivery.error
    assert "PUBLISH_WEBHOOK_ALLOWED_HOSTS" in delivery.error
    listed = WebhookTargets(allowed_hosts=("hooks.example.com",))
    assert listed.resolve("https://hooks.example.com/composure")[3] == ["10.0.0.7"]


def test_file_urls_are_no_longer_delivered():
    adapter = WebhookAdapter("file:///etc/hostname", SECRET, targets=LOCAL)
    delivery = adapter.deliver({"text": "hi"}, idempotency_key="k", now=T0)
    assert not delivery.ok
    assert not delivery.retry
    assert "Not sent: PUBLISH_WEBHOOK_URL must start with https://" in delivery.error


def test_start_up_refuses_a_webhook_address_and_names_the_setting(database_url, clock, monkeypatch):
    config = {**base_config(database_url, clock), "PUBLISH_WEBHOOK_SECRET": SECRET}
    with pytest.raises(services.ConfigurationError, match="PUBLISH_WEBHOOK_URL must start"):
        create_app({**config, "PUBLISH_WEBHOOK_URL": "file:///etc/hostname"})
    with pytest.raises(services.ConfigurationError, match="PUBLISH_WEBHOOK_ALLOWED_HOSTS"):
        create_app({**config, "PUBLISH_WEBHOOK_ALLOWED_HOSTS": ["10.0.0.0/33"]})
    # The worker also resolves the name at start-up.
    app = create_app({**config, "PUBLISH_WEBHOOK_URL": "https://hooks.example.com/x"})
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.9.9.9", 443))
        ],
    )
    result = run(app, "worker", "run", "--once")
    assert result.exit_code == 1
    assert "resolves to 10.9.9.9, which is private" in result.output
    with app.app_context():
        db.engine.dispose()


# The clocks' warnings.


def _notices(kind: str = clocks.KIND) -> list[tuple[str, str]]:
    from app.accounts.models import User

    return db.session.execute(
        sa.select(User.email, Notification.message)
        .join(User, User.id == Notification.user_id)
        .where(Notification.kind == kind)
        .order_by(User.email)
    ).all()


def warn(app, clock):
    with app.app_context():
        return clocks.warn_due(
            db.session,
            now=clock.now(),
            margin=timedelta(minutes=15),
            checkpoint=db.session.commit,
        )


def test_a_complaint_coming_due_warns_the_team_once_then_its_holder(app, users, clock):
    unheld = add_complaint(app, CALM)  # on X: due an hour after it arrived, at T0 + 1 h
    held = add_complaint(app, "@NorthwindHome where is my refund for order NW-1?")
    with app.app_context():
        assignment.take(
            db.session,
            db.session.get(Complaint, held),
            actor=get_user(users["agent"]),
            now=clock.now(),
        )
        db.session.commit()
    clock.set(T0 + timedelta(minutes=44))
    assert warn(app, clock) == []
    clock.set(T0 + timedelta(minutes=46))
    warned = warn(app, clock)
    assert {(w.complaint_id, w.to_holder) for w in warned} == {(unheld, False), (held, True)}
    assert warn(app, clock) == []  # once per complaint, however often the worker looks
    with app.app_context():
        notices = _notices()
        # Agents and admins can answer the one nobody holds; the holder hears of theirs.
        assert [email for email, _ in notices] == [
            "admin@example.com",
            "agent@example.com",
            "agent@example.com",
        ]
        said = f"Complaint #{unheld} from Chinedu Okafor on X (Twitter) is due in 14 minutes"
        assert said in notices[0][1]
        assert "Nobody has taken it." in notices[0][1]
        assert db.session.get(Complaint, unheld).due_warning_at == clock.now()


@BOTH
def test_workers_racing_warn_once_and_claim_an_import_once(app, users, clock):
    """Four workers at the same moment, each with its own session: one warning per
    complaint, one runner per job."""
    complaint_id = add_complaint(app, CALM)
    job_id = queued_job(app)
    clock.set(T0 + timedelta(minutes=50))
    barrier = threading.Barrier(4, timeout=30)
    results: list = [None] * 4

    def worker(index: int) -> None:
        with app.app_context(), Session(db.engine) as session:
            try:
                barrier.wait()
                warned = clocks.warn_due(
                    session,
                    now=clock.now(),
                    margin=timedelta(minutes=15),
                    checkpoint=session.commit,
                )
                barrier.wait()
                job = imports.claim(session, worker=f"w-{index}", now=clock.now(), lease=LEASE)
                session.commit()
                results[index] = (len(warned), job.id if job else None)
            except Exception as error:  # the test reports every thread's failure
                barrier.abort()
                results[index] = error

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert sum(warned for warned, _ in results) == 1
    assert [claimed for _, claimed in results if claimed] == [job_id]
    with app.app_context():
        assert len(_notices()) == 2  # the agent and the admin, once each
        assert db.session.get(Complaint, complaint_id).due_warning_at == clock.now()


def test_long_past_complaints_are_not_warned_about_but_one_just_breached_is(app, users, clock):
    old = add_complaint(app, CALM, received_at=T0 - timedelta(days=400))
    late = add_complaint(
        app, "@NorthwindHome still no answer?", received_at=T0 - timedelta(minutes=70)
    )
    assert {w.complaint_id for w in warn(app, clock)} == {late}
    with app.app_context():
        assert "is 10 minutes overdue" in _notices()[0][1]
        assert db.session.get(Complaint, old).due_warning_at is None


def test_a_breach_warning_counts_business_time_and_goes_once_in_app_and_by_email(
    app,
    users,
    clock,
    smtp_server,  # noqa: F811 (the fixture imported above)
):
    """Latvia answers X in 4 business hours, 09:00-17:00 Monday to Friday: a complaint in
    at Friday 15:00 is due Monday 11:00. Nobody is warned over the weekend (the clock is
    paused), both are warned once at Monday 10:30 (30 business minutes left): the holder
    in her language, the market's team (who reads Latvian) when nobody holds it; in the
    app and by e-mail through a real SMTP server."""
    port, inbox = smtp_server
    mail_config(app, port)
    riga = ZoneInfo("Europe/Riga")
    received = datetime(2026, 11, 20, 15, 0, tzinfo=riga)
    with app.app_context():
        office = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
        db.session.add(Market(key="lv", name="Latvia", languages=["lv"], time_zone="Europe/Riga",
                              business_hours=office, holiday_country="LV", position=1))  # fmt: skip
        db.session.flush()
        db.session.add(
            MarketTarget(market_key="lv", channel_key="x", response_target_seconds=14400)
        )
        db.session.get(Channel, "x").market_key = "lv"
        agent, admin = get_user(users["agent"]), get_user(users["admin"])
        agent.language = "lv"
        admin.languages = ["lv", "en"]  # the Latvian team: whoever reads Latvian
        db.session.commit()
    held = add_complaint(app, CALM, received_at=received)
    unheld = add_complaint(app, "@NorthwindHome where is my refund?", received_at=received)
    with app.app_context():
        complaint = db.session.get(Complaint, held)
        assert complaint.response_due_at == datetime(2026, 11, 23, 11, 0, tzinfo=riga)
        assignment.take(db.session, complaint, actor=get_user(users["agent"]), now=clock.now())
        db.session.commit()
    worker = Worker(app, steps=("clocks", "mail"))
    with app.app_context():
        for moment in (
            datetime(2026, 11, 22, 23, 0, tzinfo=riga),
            datetime(2026, 11, 23, 10, 29, tzinfo=riga),
        ):
            clock.set(moment)  # Sunday night: 12 real hours left, but paused; then 31 minutes
            assert worker.round()["clocks"] == []
    clock.set(datetime(2026, 11, 23, 10, 30, tzinfo=riga))
    with app.app_context():
        warned = worker.round()["clocks"]
        assert {(w.complaint_id, w.to_holder, w.people) for w in warned} == {
            (held, True, 1),
            (unheld, False, 1),
        }
        assert worker.round()["clocks"] == []  # once per complaint and due time
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BreachWarning)) == 2
        notices = dict(_notices())
    assert notices["agent@example.com"] == (
        f"Sūdzībai #{held} no Chinedu Okafor kanālā X (Twitter) līdz termiņam atlicis: "
        "30 minūšu, un atbildes vēl nav."  # CLDR: 30 takes the zero form
    )
    assert notices["admin@example.com"] == (
        f"Complaint #{unheld} from Chinedu Okafor on X (Twitter) is due in 30 minutes and has "
        "no reply yet. Nobody has taken it."
    )
    sent = {message["To"]: message for _, message in inbox.messages}
    assert set(sent) == {"agent@example.com", "admin@example.com"}
    assert notices["agent@example.com"] in sent["agent@example.com"].get_content()
    assert f"/complaints/{unheld}" in sent["admin@example.com"].get_content()


# `flask worker run`


def test_worker_run_once_does_every_step_and_says_what_it_did(app, users, clock):
    add_complaint(app, CALM)
    clock.set(T0 + timedelta(minutes=50))
    queued_job(app, b"text,channel\nqueued from the web,x\n")
    result = run(app, "worker", "run", "--once")
    assert result.exit_code == 0, result.output
    assert "outbox, imports, mail, clocks, every 5 s" in result.output
    assert "outbox: no PUBLISH_WEBHOOK_URL" in result.output
    assert "imports: job 1 (feed.csv) done: 1 imported" in result.output
    assert "clocks: complaint 1 due 2026-11-23T10:00+00:00: warned the team (2)" in result.output
    assert "stopped" in result.output
    bad = run(app, "worker", "run", "--once", "--only", "outbox,cron")
    assert bad.exit_code == 2
    assert "unknown step cron" in bad.output


def test_sigterm_asks_the_worker_to_stop_after_its_step(app):
    worker = Worker(app, steps=("clocks",))
    before = signal.getsignal(signal.SIGTERM)
    with stopped_by_signals(worker):
        os.kill(os.getpid(), signal.SIGTERM)
        assert worker.stop.is_set()
        with app.app_context():
            worker.run()  # returns at once: stopping
    assert signal.getsignal(signal.SIGTERM) is before


# Migration 0011, both ways.


@BOTH
def test_migration_0011_goes_down_and_up_again_with_jobs_and_complaints_kept(ctx, clock):
    complaint_id = add_complaint(ctx, CALM)
    job_id = queued_job(ctx, b"text,channel\none,x\n")
    db.session.remove()
    downgrade(revision="0010")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("import_jobs")}
    assert not {"claimed_by", "lease_expires_at", "heartbeat_at", "resumes"} & columns
    assert "due_warning_at" not in {
        c["name"] for c in sa.inspect(db.engine).get_columns("complaints")
    }
    upgrade()
    assert pending_changes() == []
    job = db.session.get(ImportJob, job_id)
    assert (job.status, job.resumes, job.lease_expires_at) == ("queued", 0, None)
    assert db.session.get(Complaint, complaint_id).due_warning_at is None
    with pytest.raises(IntegrityError):  # a lease only while running
        db.session.execute(sa.update(ImportJob).values(lease_expires_at=clock.now()))
    db.session.rollback()
