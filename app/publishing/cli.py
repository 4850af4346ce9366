"""`flask --app wsgi outbox run|status|retry`: deliver webhook publications and e-mails."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app import services
from app.drafts.models import Publication, PublicationStatus
from app.extensions import db
from app.notifications import jobs as mail_jobs
from app.publishing import jobs as outbox_jobs

#: After the mail server could not be reached, e-mail waits this long (webhooks go on).
MAIL_PAUSE_SECONDS = 60

outbox_cli = AppGroup("outbox", help="Deliver published replies (webhook) and e-mail notices.")


def _clock():
    return services.clock(current_app).now()


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
def run(once: bool) -> None:
    """Deliver due webhook publications (retrying with back-off) and e-mail notices.

    Run one or more of these beside the web server; on PostgreSQL several workers share
    the work (FOR UPDATE SKIP LOCKED) and never deliver the same attempt twice.
    """
    config = current_app.config
    try:
        adapter, smtp = services.webhook_adapter(config), services.mailer(config)
    except services.ConfigurationError as problem:
        raise click.ClickException(str(problem)) from problem
    retry = services.retry_policy(config)
    mail_paused_until = 0.0
    if adapter is None:
        click.echo("No PUBLISH_WEBHOOK_URL: webhook deliveries wait until one is set.")
    while True:
        if adapter is not None:
            report = outbox_jobs.deliver_due(db.session, adapter, clock=_clock, retry=retry)
            if report.claimed:
                click.echo(
                    f"deliveries: {report.delivered} delivered, {report.retrying} to retry, "
                    f"{report.failed} failed, {report.lost} taken over by another worker"
                )
        if smtp is not None and time.monotonic() >= mail_paused_until:
            sent = mail_jobs.send_pending(db.session, smtp, now=_clock())
            if sent.sent or sent.failed:
                click.echo(f"e-mails: {sent.sent} sent, {sent.failed} refused")
            if sent.server_down:
                click.echo(f"e-mail server unreachable ({sent.server_down}); trying again later")
                mail_paused_until = time.monotonic() + MAIL_PAUSE_SECONDS
        db.session.remove()
        if once:
            return
        time.sleep(max(current_app.config["OUTBOX_POLL_SECONDS"], 1))


@outbox_cli.command("status")
def status() -> None:
    """How many publications are waiting, delivered and failed, per adapter."""
    rows = db.session.execute(
        select(Publication.adapter, Publication.status, func.count())
        .group_by(Publication.adapter, Publication.status)
        .order_by(Publication.adapter, Publication.status)
    ).all()
    if not rows:
        click.echo("Nothing published yet.")
    for adapter, state, count in rows:
        click.echo(f"{adapter:8} {state.value:10} {count}")
    failed = db.session.scalars(
        select(Publication).where(Publication.status == PublicationStatus.FAILED)
    ).all()
    for publication in failed:
        click.echo(
            f"failed: publication {publication.id} (draft {publication.draft_id}) after "
            f"{publication.attempts} attempt(s): {publication.last_error}"
        )
