"""Command-line tools: `flask --app wsgi users|tokens|complaints|imports|audit|demo ...`.

Each command translates arguments into operations and commits once, like a request.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.accounts import operations
from app.accounts.models import ApiToken, Role, TokenScope
from app.complaints import importers, imports, jobs
from app.complaints.models import Complaint, ImportFormat, ImportJob, ImportStatus
from app.core.durations import plural
from app.core.ids import MAX_ID
from app.extensions import db
from app.services import Services, clock, display_zone, external_url, import_limits

ROLE_NAMES = click.Choice([role.value for role in Role])

users_cli = AppGroup("users", help="Create people and give them roles.")
tokens_cli = AppGroup("tokens", help="API bearer tokens.")
complaints_cli = AppGroup("complaints", help="Complaint intake.")
imports_cli = AppGroup("imports", help="Import jobs queued from the web.")
audit_cli = AppGroup("audit", help="The append-only audit log.")


def _now():
    return clock(current_app).now()


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=ROLE_NAMES,
    help="Repeat for several roles.",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    help="Sign-off group to join (legal, pr, or one an admin defined); repeat for several.",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given.",
)
def create_user(
    email: str, name: str, roles: tuple[str, ...], groups: tuple[str, ...], password: str
) -> None:
    """Create an active user with a password."""
    try:
        user = operations.create_user(
            db.session,
            email=email,
            name=name,
            roles={Role(role) for role in roles},
            groups=set(groups),
            password=password,
            actor=None,
            now=_now(),
        )
    except operations.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    joined = f"; signs off for {', '.join(sorted(groups))}" if groups else ""
    click.echo(f"Created {user.email} ({', '.join(sorted(roles))}{joined}).")


@users_cli.command("reset-link")
@click.option("--email", required=True)
def reset_link(email: str) -> None:
    """Print a one-time link (valid a day) for the person to set a new password."""
    user = operations.find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    try:
        secret = operations.issue_reset_link(db.session, target=user, actor=None, now=_now())
    except operations.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    link = external_url(current_app, "auth.reset_password", secret=secret)
    click.echo(f"A one-time link for {user.email}, valid for a day, shown once:", err=True)
    click.echo(link)


SCOPE_NAMES = click.Choice([scope.value for scope in TokenScope])


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli", help="What the token is for, to recognise it later.")
@click.option(
    "--scope",
    type=SCOPE_NAMES,
    default=TokenScope.READ.value,
    show_default=True,
    help="read: GET only; draft: also add complaints and write drafts; act: all the role allows.",
)
@click.option(
    "--expires-days",
    type=click.IntRange(1, 365),
    default=operations.DEFAULT_TOKEN_LIFETIME.days,
    show_default=True,
    help="At most 365.",
)
def create_token(email: str, name: str, scope: str, expires_days: int) -> None:
    """Create a bearer token for a user and print it once."""
    user = operations.find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    try:
        token, secret = operations.create_api_token(
            db.session,
            user=user,
            name=name,
            scope=TokenScope(scope),
            expires_in=timedelta(days=expires_days),
            actor=None,
            now=_now(),
        )
    except operations.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"Scope {token.scope.value}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC. "
        "This token is shown once; store it now:",
        err=True,
    )
    click.echo(secret)


@tokens_cli.command("list")
@click.option("--email", required=True)
def list_tokens(email: str) -> None:
    """A user's tokens: id, name, prefix, scope, created, last used, expiry or revocation."""
    user = operations.find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    now = _now()
    for token in operations.api_tokens_of(db.session, user):
        if token.revoked_at:
            state = f"revoked {token.revoked_at:%Y-%m-%d}"
        elif token.is_expired(now):
            state = f"expired {token.expires_at:%Y-%m-%d}"
        else:
            state = f"expires {token.expires_at:%Y-%m-%d}"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
        click.echo(
            f"{token.id}\t{token.name}\t{token.prefix}…\t{token.scope.value}\t"
            f"created {token.created_at:%Y-%m-%d}\t{used}\t{state}"
        )


@tokens_cli.command("revoke")
@click.option("--id", "token_id", type=click.IntRange(1), required=True)
def revoke_token(token_id: int) -> None:
    """Revoke one token by its id (see `tokens list`)."""
    token = db.session.get(ApiToken, token_id) if token_id <= MAX_ID else None
    if token is None:
        raise click.ClickException(f"No token #{token_id}.")
    operations.revoke_api_token(db.session, token=token, actor=None, now=_now())
    db.session.commit()
    click.echo(f"Token #{token.id} ({token.name}, {token.prefix}…) is revoked.")


def _print_report(job: ImportJob) -> None:
    click.echo(f"Import #{job.id} of {job.filename}: {job.status.value}")
    if job.error:
        click.echo(f"  {job.error}")
    click.echo(f"  imported:             {job.imported_count}")
    click.echo(f"  skipped as duplicate: {job.duplicate_count}")
    click.echo(f"  rejected:             {job.rejected_count}")
    if job.ignored_count:
        click.echo(f"  not complaints:       {job.ignored_count} (brand replies, outbound rows)")
    from sqlalchemy import func, select

    if job.replies_kept_count:
        click.echo(f"  brand replies kept:   {job.replies_kept_count} (in their cases' timelines)")
    if job.history_handled:
        resolved = db.session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.import_job_id == job.id, Complaint.resolved_at.is_not(None))
        )
        click.echo(f"  marked as handled:    {resolved} (history received before the cut-off)")

    from app.complaints.models import ImportRowIssue

    rejected = db.session.scalars(
        select(ImportRowIssue)
        .where(ImportRowIssue.job_id == job.id, ImportRowIssue.outcome == "rejected")
        .order_by(ImportRowIssue.row_number)
        .limit(20)
    ).all()
    for issue in rejected:
        click.echo(f"  row {issue.row_number}: {issue.reason}")
    if job.rejected_count > len(rejected):
        click.echo(f"  … and {job.rejected_count - len(rejected)} more: see /imports/{job.id}")


@complaints_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in ImportFormat]),
    help="Default: detected from the file.",
)
@click.option("--encoding", help="Default: UTF-8 (or UTF-16 with a byte-order mark).")
@click.option("--channel", help="Channel for rows that name none.")
@click.option(
    "--history-handled",
    is_flag=True,
    help="Store complaints already overdue now (received before now minus their channel's "
    "response target) as resolved: old history does not top the inbox.",
)
@click.option(
    "--handled-before",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    help="With it, the cut-off is this time (UTC) instead; implies --history-handled.",
)
def import_complaints(
    file: Path,
    fmt: str | None,
    encoding: str | None,
    channel: str | None,
    history_handled: bool,
    handled_before: datetime | None,
) -> None:
    """Import complaints from a CSV, JSON or JSON Lines file; re-importing adds nothing."""
    app = current_app._get_current_object()
    try:
        job = imports.create_job(
            db.session,
            payload=file.read_bytes(),
            filename=file.name,
            fmt=ImportFormat(fmt) if fmt else None,
            encoding=encoding,
            default_channel=channel,
            actor=None,
            limits=import_limits(app.config),
            now=_now(),
            history_handled=history_handled,
            handled_before=handled_before.replace(tzinfo=UTC) if handled_before else None,
        )
    except importers.ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    job_id = job.id
    with click.progressbar(length=1, label="Importing", show_pos=True, file=sys.stderr) as bar:

        def progress(current: ImportJob) -> None:
            if current.total_rows and bar.length != current.total_rows:
                bar.length = current.total_rows
            bar.update(current.processed_rows - bar.pos)

        job = jobs.run_job(app, job_id, on_progress=progress)
    job = db.session.get(ImportJob, job_id)
    _print_report(job)
    if job.status is ImportStatus.FAILED:
        raise SystemExit(1)


@complaints_cli.command("analyze")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Every complaint, not only unanalysed (or without a kind)",
)
def analyze_complaints(everything: bool) -> None:
    """Analyse stored complaints again with the current rules (after editing them)."""
    from app.complaints import reading

    count = reading.reanalyze_all(
        db.session, now=_now(), checkpoint=db.session.commit, only_missing=not everything
    )
    click.echo(f"Analysed {count} complaint{'s' if count != 1 else ''}.")


@imports_cli.command("run")
def run_queued() -> None:
    """Run the import jobs waiting for a runner: queued from the web (IMPORTS_RUN_BY=worker,
    or after a restart), or left running by a process that died (resumed where it
    stopped). The imports step of `flask worker run`, once."""
    app = current_app._get_current_object()
    ran = 0
    while (job := jobs.run_job(app)) is not None:
        ran += 1
        _print_report(db.session.get(ImportJob, job.id))
    if not ran:
        click.echo("No queued imports.")


@audit_cli.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also check that the chain still holds this head from `flask audit checkpoint`.",
)
def verify_audit(checkpoint_file: Path | None) -> None:
    """Check the audit log's hash chain and its signed checkpoint; exit 1 if anything was
    changed or removed."""
    from sqlalchemy import func, select

    from app.audit import log as audit
    from app.audit.models import AuditEvent

    exported = None
    if checkpoint_file is not None:
        try:
            exported = audit.SignedHead.from_exported(checkpoint_file.read_text())
        except ValueError as error:
            raise click.ClickException(f"{checkpoint_file}: {error}") from error
    breaks = list(audit.verify(db.session, exported=exported))
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    if breaks:
        for item in breaks:
            where = "checkpoint" if item.event_id is None else f"event {item.event_id}"
            click.echo(f"{where}: {item.reason}", err=True)
        raise click.ClickException(f"The audit chain is broken in {plural(len(breaks), 'place')}.")
    click.echo(f"Audit chain intact: {count} events.")
    if exported is not None and exported.head.event_id is not None:
        click.echo(f"It contains event #{exported.head.event_id} of the exported checkpoint.")


@audit_cli.command("checkpoint")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write it to this file instead of printing it.",
)
def export_checkpoint(output: Path | None) -> None:
    """Print the chain's signed head (JSON) to keep off the database server; `flask audit
    verify --checkpoint FILE` later checks the chain still holds it. Refused, exit 1, while
    the chain is broken."""
    from app.audit import log as audit

    breaks = list(audit.verify(db.session))
    if breaks:
        raise click.ClickException(
            f"The audit chain is broken in {plural(len(breaks), 'place')}: "
            "see `flask audit verify`."
        )
    latest = audit.latest_checkpoint(db.session)
    assert latest is not None  # verify reports a missing one
    if output is None:
        click.echo(latest.exported())
        return
    output.write_text(latest.exported() + "\n")
    which = "the empty log" if latest.head.event_id is None else f"event #{latest.head.event_id}"
    click.echo(f"Checkpoint of {which} written to {output}.")


@audit_cli.command("grant-app-role")
@click.argument("role")
def grant_app_role(role: str) -> None:
    """PostgreSQL: give ROLE, the role the app connects as, what it needs on every table
    but only SELECT, INSERT on the audit tables. Run as the tables' owner; migration 0006
    does the same when DATABASE_APP_ROLE is set."""
    from app.core import roles

    try:
        roles.grant_app_role(db.session.connection(), role)
    except roles.RoleError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{role} may now use the tables; the audit log it can only read and append to.")


@audit_cli.command("export")
@click.option("--since", help="First day, YYYY-MM-DD (in the display time zone).")
@click.option("--until", help="Last day, YYYY-MM-DD (inclusive).")
@click.option("--complaint", help="Only this complaint's events.")
@click.option("--action", help="Only actions starting with this, e.g. draft.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="CSV file to write. Default: standard output.",
)
def export_audit(
    since: str | None,
    until: str | None,
    complaint: str | None,
    action: str | None,
    output: Path | None,
) -> None:
    """Write audit events as CSV, oldest first (header, then one row per event)."""
    from dataclasses import asdict

    from app.audit import export

    try:
        filters = export.parse_filters(
            since=since,
            until=until,
            complaint=complaint,
            action=action,
            zone=display_zone(current_app.config),
        )
    except export.FilterError as error:
        raise click.UsageError(
            "; ".join(f"--{name}: {message}" for name, message in error.fields.items())
        ) from error
    events = export.events(db.session, **asdict(filters))
    names = export.actor_labels(db.session)
    if output is None:
        export.write_csv(events, sys.stdout, names)
        return
    with output.open("w", encoding="utf-8", newline="") as stream:
        count = export.write_csv(events, stream, names)
    click.echo(f"Wrote {count} event{'s' if count != 1 else ''} to {output}.")


@click.command("demo")
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="Also a past fortnight of answered complaints, for the dashboard.",
)
@with_appcontext
def demo_command(history: bool) -> None:
    """Create one demo user per role and the demo complaints (safe to run again)."""
    from app.demo import load_demo, load_demo_drafts, load_demo_history

    report = load_demo(db.session, now=_now())
    db.session.commit()
    services = Services.of(current_app, db.session)
    settings = {
        "library": services.library,
        "tone_policy": services.tone_policy,
        "workflow_policy": services.workflow_policy,
        "now": services.now(),
    }
    made = load_demo_drafts(db.session, **settings)
    db.session.commit()
    past = None
    if history:
        past = load_demo_history(db.session, **settings)
        db.session.commit()
    click.echo("Demo users (e-mail / password):")
    for email, password, roles in report.users:
        click.echo(f"  {email:32} {password:20} {', '.join(roles)}")
    click.echo(
        f"Demo complaints: {report.complaints_added} added, "
        f"{report.complaints_existing} already there; {made} demo replies started."
    )
    if past is not None:
        click.echo(
            f"Demo history: {past.complaints_added} past complaints added, "
            f"{past.replies_published} replies published."
        )


backup_cli = AppGroup("backup", help="Back up the database and restore it.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def create_backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH while the app runs: SQLite through
    its online backup API (one file), PostgreSQL with pg_dump --format=custom."""
    from app.core import backup

    if path.exists():
        raise click.ClickException(f"{path} exists: choose a new name (nothing was written).")
    url = db.engine.url
    try:
        with db.engine.connect() as connection:
            found = backup.contents(connection)
            if url.get_backend_name() == "sqlite":
                backup.create_sqlite(backup.sqlite_path(url), path)
            else:
                backup.create_postgres(url, connection, path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    size = path.stat().st_size
    click.echo(
        f"Backed up {found.described()} (revision {found.revision}) to {path}, {size:,} bytes."
    )


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that is not empty.")
def restore_backup(path: Path, force: bool) -> None:
    """Restore PATH (from `backup create`) into the configured database, then check the
    audit log's protections and chain. Stop the app and the workers first. A database that
    holds anything is replaced only with --force."""
    from app.audit import log as audit
    from app.core import backup

    url = db.engine.url
    app_role = current_app.config.get("DATABASE_APP_ROLE") or None
    db.session.remove()
    try:
        with db.engine.connect() as connection:
            before = backup.contents(connection)
            if url.get_backend_name() == "sqlite":
                incoming = backup.check_sqlite_backup(path)
            else:
                backup.check_postgres_backup(path, backup.server_major(connection))
                incoming = None
        if not before.empty and not force:
            raise click.ClickException(
                f"The database is not empty: restoring would replace {before.described()}. "
                "Back it up first if you may need it, then run again with --force."
            )
        db.engine.dispose()  # nothing of ours holds the file or the tables
        if url.get_backend_name() == "sqlite":
            backup.restore_sqlite(path, backup.sqlite_path(url))
        else:
            with db.engine.connect() as connection:
                backup.restore_postgres(url, connection, path, app_role=app_role)
        db.engine.dispose()
        with db.engine.connect() as connection:
            after = backup.contents(connection)
            unprotected = list(backup.protections(connection, app_role=app_role))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    if incoming is not None and incoming.counts != after.counts:
        raise click.ClickException(
            f"Restored {after.described()}, expected {incoming.described()}."
        )
    click.echo(f"Restored {after.described()} (revision {after.revision}) from {path}.")
    if unprotected:
        raise click.ClickException("The audit log is not protected: " + "; ".join(unprotected))
    click.echo(
        "Audit log protections in place"
        + (f" ({app_role} may only read and append)." if app_role else ".")
    )
    breaks = list(audit.verify(db.session))
    if breaks:
        raise click.ClickException(
            f"The audit chain is broken in {plural(len(breaks), 'place')}: "
            "see `flask audit verify` "
            "(restored with a different AUDIT_KEY?)."
        )
    click.echo(f"Audit chain intact: {after.counts['audit events']} events.")


def register_cli(app: Flask) -> None:
    from app.publishing.cli import outbox_cli
    from app.workers.cli import worker_cli

    groups = (users_cli, tokens_cli, complaints_cli, imports_cli, audit_cli, outbox_cli, worker_cli)
    for group in groups:
        app.cli.add_command(group)
    app.cli.add_command(backup_cli)
    app.cli.add_command(demo_command)
