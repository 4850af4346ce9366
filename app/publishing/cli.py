"""`flask --app wsgi outbox run|status|retry`: deliver webhook publications and e-mails."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app import services
from app.core.durations import plural
from app.drafts.models import Publication, PublicationStatus
from app.extensions import db
from app.web import mail_words
from app.workers.loop import Worker, poll_seconds

outbox_cli = AppGroup("outbox", help="Deliver published replies (webhook) and e-mail notices.")


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
def run(once: bool) -> None:
    """Deliver due webhook publications (retrying with back-off) and e-mail notices: the
    outbox and mail steps of `flask worker run` (which also runs imports and the clocks).

    Run one or more of these beside the web server; on PostgreSQL several workers share
    the work (FOR UPDATE SKIP LOCKED) and never deliver the same attempt twice.
    """
    try:
        worker = Worker(
            current_app._get_current_object(), steps=("outbox", "mail"), compose=mail_words.compose
        )
    except services.ConfigurationError as problem:
        raise click.ClickException(str(problem)) from problem
    if worker.adapter is None:
        click.echo("No PUBLISH_WEBHOOK_URL: webhook deliveries wait until one is set.")
    while True:
        reports = worker.round()
        report = reports.get("outbox")
        if report is not None and report.claimed:
            click.echo(
                f"deliveries: {report.delivered} delivered, {report.retrying} to retry, "
                f"{report.failed} failed, {report.lost} taken over by another worker"
            )
        sent = reports.get("mail")
        if sent is not None:
            if sent.sent or sent.failed:
                click.echo(f"e-mails: {sent.sent} sent, {sent.failed} refused")
            if sent.server_down:
                click.echo(f"e-mail server unreachable ({sent.server_down}); trying again later")
        if once:
            return
        time.sleep(poll_seconds(current_app.config))


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
            f"{plural(publication.attempts, 'attempt')}: {publication.last_error}"
        )
