"""Inbox, complaint page, pasting a complaint, importing files. HTTP in, operations out."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from app.accounts.landing import INBOX, landing_for
from app.accounts.models import User
from app.accounts.permissions import Permission, can
from app.analysis.rules import FLAG_LABELS, languages_with_rules
from app.audit.history import timeline
from app.complaints import (
    assignment,
    bulk,
    cases,
    importers,
    imports,
    inbox,
    intake,
    jobs,
    reading,
)
from app.complaints.forms import ComplaintForm, ImportForm
from app.complaints.models import (
    Complaint,
    ImportFormat,
    ImportJob,
    ImportRowIssue,
    ImportStatus,
)
from app.core.errors import Invalid
from app.core.ids import parse_id
from app.drafts import operations, replies
from app.extensions import db
from app.nlp.detection import language_choices
from app.services import case_window, import_limits
from app.web import say
from app.web.access import requires, safe_next
from app.web.forms import show_on_form
from app.web.services import compose_draft, display_zone, now, templates

blueprint = Blueprint("complaints", __name__)

ISSUES_SHOWN = 200


def _channel_choices(blank: str | None = None) -> list[SelectChoice]:
    choices = [
        SelectChoice(key, channel.name) for key, channel in intake.load_channels(db.session).items()
    ]
    return ([SelectChoice("", blank)] if blank else []) + choices


@blueprint.route("/", endpoint="home")
@requires(Permission.VIEW_COMPLAINTS)
def home():
    """Each person's own queue (`landing_for`): agents get the inbox right here, and so
    does anyone following an inbox link from before it moved to /inbox ("/?q=...")."""
    landing = landing_for(current_user)
    if landing == INBOX or request.args:
        return inbox_view()
    return redirect(url_for(landing))


@blueprint.route("/inbox", endpoint="inbox")
@requires(Permission.VIEW_COMPLAINTS)
def inbox_view():
    channels = intake.load_channels(db.session, include_inactive=True)
    query = inbox.InboxQuery.parse(
        request.args, channels, viewer_id=current_user.id, tags=bulk.tags(db.session)
    )
    shown = inbox.inbox_page(
        db.session,
        query.filter,
        page=request.args.get("page", 1, type=parse_id) or 1,
        per_page=current_app.config["INBOX_PAGE_SIZE"],
        now=now(),
    )
    return render_template(
        "complaints/inbox.html",
        page=shown.page,
        params=query.params,
        # The pager and the "Take it" forms come back to this page, these filters.
        here={key: value for key, value in query.params.items() if value},
        search=query.filter.search,
        max_search=inbox.MAX_SEARCH_CHARS,
        channels=channels,
        status_filters=list(inbox.STATUS_FILTERS),
        handling=shown.handling,
        confirm=request.args.get("confirm", type=parse_id),
        follow_ups_due=shown.follow_ups_due,
        case_sizes=cases.sizes(db.session, (c.case_id for c in shown.page.items)),
        tools=_tools(shown),
    )


def _tools(shown: inbox.InboxView) -> bulk.InboxTools:
    """Bulk actions, tags, saved filters and the Undo of a bulk close just done (`done`)."""
    ids = [complaint.id for complaint in shown.page.items]
    return bulk.tools(db.session, current_user, ids, done=request.args.get("done", type=parse_id))


@blueprint.route("/complaints/<int:complaint_id>")
@requires(Permission.VIEW_COMPLAINTS)
def show(complaint_id: int):
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    return render_complaint(complaint)


def render_complaint(
    complaint: Complaint,
    *,
    error: str | None = None,
    status: int = 200,
    typed: Mapping[str, str] | None = None,
):
    """The complaint page; after a refused follow-up or resolution, with `error` and what
    the person typed."""
    job = db.session.get(ImportJob, complaint.import_job_id) if complaint.import_job_id else None
    draft = operations.active_draft(db.session, complaint.id)
    published = replies.published(db.session, complaint)
    preview = None
    if draft is None and not published and can(current_user, Permission.DRAFT_REPLIES):
        preview = compose_draft(complaint, current_user)
    return (
        render_template(
            "complaints/show.html",
            complaint=complaint,
            history=timeline(db.session, complaint.id, _),
            import_job=job,
            draft=draft,
            preview=preview,
            published=published,
            follow_ups=replies.open_follow_ups(db.session, complaint),
            highlights=_highlights(complaint),
            error=error,
            typed=typed or {},
            handling=inbox.handling(db.session, [complaint.id]).get(complaint.id),
            held_since=assignment.held_since(db.session, complaint),
            may_take=assignment.may_take(current_user, complaint),
            may_release=assignment.may_release(current_user, complaint),
            assignable=(
                assignment.assignable(db.session) if assignment.may_assign(current_user) else []
            ),
            language_choices=sorted(
                ((code, say.language(code)) for code, _name in language_choices()),
                key=lambda choice: choice[1].casefold(),
            ),
            draft_languages=[(code, say.language(code)) for code in templates().languages],
            languages_read=languages_with_rules(),
            **_case_context(complaint),
        ),
        status,
    )


def _case_context(complaint: Complaint) -> dict:
    """The complaint's case on its page: how many messages, and what the person may do."""
    return {
        "case_messages": db.session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.case_id == complaint.case_id)
        )
        if complaint.case_id
        else 0,
        "move_refusal": cases.move_refusal(current_user, complaint, None),
        "split_refusal": cases.split_refusal(db.session, current_user, complaint),
    }


def _highlights(complaint: Complaint) -> list[dict]:
    """Evidence spans to mark in the complaint text, each titled with what it shows."""
    spans = []
    evidence = complaint.evidence or {}
    for flag in complaint.flags or ():
        for item in evidence.get(flag, ()):
            spans.append({**item, "title": f"{FLAG_LABELS.get(flag, flag)} flag"})
    for item in evidence.get("complainer_type", ()):
        spans.append({**item, "title": f"Why {complaint.complainer_type}"})
    for item in evidence.get("kind", ()):
        spans.append({**item, "title": f"Why {complaint.kind}"})
    if not complaint.language_read:
        # What was read without rules: personal data, capitals, runs of "!!!".
        for key, title in (
            ("personal_data", "Personal data"),
            ("shouting", "In capitals"),
            ("punctuation", "Run of !!! or ???"),
        ):
            for item in evidence.get(key, ()):
                spans.append({**item, "title": title})
    return spans  # highlight() shows the first of any overlapping spans


def _complaint_or_404(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    return complaint


def _back(complaint: Complaint, *, confirm: bool = False) -> str:
    """Where a "Take it" or "Release" form came from (its `next`: an inbox page with its
    filters, on this site only), else the complaint page. `confirm` asks there whether to
    take the complaint over; the row's anchor brings the person back to it."""
    target = request.form.get("next")
    if not target:
        return url_for("complaints.show", complaint_id=complaint.id)
    parts = urlsplit(safe_next(target))
    pairs = [(k, v) for k, v in parse_qsl(parts.query) if k != "confirm"]
    if confirm:
        pairs.append(("confirm", str(complaint.id)))
    return urlunsplit(("", "", parts.path, urlencode(pairs), f"complaint-{complaint.id}"))


@blueprint.route("/complaints/<int:complaint_id>/assignment", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def take(complaint_id: int):
    """ "Take it": the complaint is yours. A colleague's is refused and the page asks
    whether to take it over (the confirm button sends `take_over`)."""
    complaint = _complaint_or_404(complaint_id)
    take_over = request.form.get("take_over") == "1"
    try:
        change = assignment.take(
            db.session, complaint, actor=current_user, now=now(), take_over=take_over
        )
    except assignment.Refused as refusal:
        db.session.rollback()
        if refusal.code == "held_by_colleague" and refusal.holder is not None:
            flash(
                _(
                    "%(name)s has complaint #%(number)s. Take it over only if you have agreed "
                    "it with them.",
                    name=refusal.holder.name,
                    number=complaint.id,
                ),
                "info",
            )
            return redirect(_back(complaint, confirm=True))
        flash(_(str(refusal)), "error")
        return redirect(_back(complaint))
    db.session.commit()
    flash(*_taken_words(change, complaint.id))
    return redirect(_back(complaint))


def _taken_words(change: assignment.Change, number: int) -> tuple[str, str]:
    """What "Take it" did, and the flash's category."""
    if not change.changed:
        return _("You already have complaint #%(number)s.", number=number), "info"
    if change.before_id is not None:
        name = db.session.get(User, change.before_id).name
        said = _("You took complaint #%(number)s over from %(name)s.", number=number, name=name)
        return said, "success"
    return _("Complaint #%(number)s is yours.", number=number), "success"


@blueprint.route("/complaints/<int:complaint_id>/assignment/release", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def release(complaint_id: int):
    complaint = _complaint_or_404(complaint_id)
    try:
        change = assignment.release(db.session, complaint, actor=current_user, now=now())
    except assignment.Refused as refusal:
        db.session.rollback()
        flash(_(str(refusal)), "error")
        return redirect(_back(complaint))
    db.session.commit()
    if change.changed:
        flash(
            _("Complaint #%(number)s is released: anyone can take it.", number=complaint.id),
            "success",
        )
    else:
        flash(_("Nobody had complaint #%(number)s; nothing changed.", number=complaint.id), "info")
    return redirect(_back(complaint))


@blueprint.route("/complaints/<int:complaint_id>/analyze", methods=["POST"])
@requires(Permission.CREATE_COMPLAINTS)
def reanalyze(complaint_id: int):
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    reading.reanalyze(db.session, complaint, actor=current_user, now=now())
    db.session.commit()
    flash(_("Analysed again with the current rules."), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint.id))


@blueprint.route("/complaints/<int:complaint_id>/language", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def set_language(complaint_id: int):
    complaint = _complaint_or_404(complaint_id)
    try:
        result = reading.correct_language(
            db.session, complaint, request.form.get("language", ""), actor=current_user, now=now()
        )
    except Invalid as problem:
        db.session.rollback()
        flash(problem.fields.get("language", str(problem)), "error")
        return redirect(url_for("complaints.show", complaint_id=complaint_id))
    db.session.commit()
    name = say.language(result.language)
    flash(
        _("Language set to %(language)s and read again.", language=name)
        if result.language_supported
        else _(
            "Language set to %(language)s: Composure has no rules for it, so it is not read.",
            language=name,
        ),
        "success",
    )
    return redirect(url_for("complaints.show", complaint_id=complaint.id))


@blueprint.route("/complaints/new", methods=["GET", "POST"])
@requires(Permission.CREATE_COMPLAINTS)
def new():
    form = ComplaintForm()
    form.channel.choices = _channel_choices()
    if request.method == "GET" and form.received_at.data is None:
        form.received_at.data = now().astimezone(display_zone()).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            result = intake.add(
                db.session,
                form.complaint_input(display_zone()),
                actor=current_user,
                now=now(),
                max_chars=current_app.config["MAX_COMPLAINT_CHARS"],
                case_window=case_window(current_app.config),
            )
        except intake.Rejection as rejection:
            show_on_form(form, rejection, otherwise="text")
        else:
            db.session.commit()
            if result.created:
                flash(
                    _("Complaint #%(number)s is in the inbox.", number=result.complaint.id),
                    "success",
                )
            else:
                flash(_("This complaint was already in the inbox; nothing was added."), "info")
            return redirect(url_for("complaints.show", complaint_id=result.complaint.id))
    return render_template("complaints/new.html", form=form), 400 if form.is_submitted() else 200


@blueprint.route("/imports", methods=["GET", "POST"])
@requires(Permission.IMPORT_COMPLAINTS)
def imports_index():
    form = ImportForm()
    form.default_channel.choices = _channel_choices(blank=_("The file names the channel"))
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        payload = upload.read()
        try:
            job = imports.create_job(
                db.session,
                payload=payload,
                filename=upload.filename or "upload",
                fmt=ImportFormat(form.format.data) if form.format.data else None,
                encoding=form.encoding.data or None,
                default_channel=form.default_channel.data or None,
                actor=current_user,
                limits=import_limits(current_app.config),
                now=now(),
                **form.history_option(display_zone()),
            )
        except importers.ImportFileError as exc:
            show_on_form(form, exc, otherwise="file")
        else:
            db.session.commit()
            jobs.start(job.id)
            return redirect(url_for("complaints.import_job", job_id=job.id))
    if request.method == "POST":
        status = 400
    recent = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(20)).all()
    return render_template("complaints/imports.html", form=form, jobs=recent), status


def _job_or_404(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None:
        abort(404)
    return job


def _progress_text(job: ImportJob) -> str:
    """Where the job is, in words for the progress page; a job whose process died is handed
    on first ("web" mode)."""
    jobs.take_over_if_stalled(job)
    if job.status is ImportStatus.QUEUED:
        if current_app.config["IMPORTS_RUN_BY"] == "worker":
            return _("Waiting for a worker to start it…")
        return _("Waiting to start…")
    if job.status is ImportStatus.DONE:
        return " ".join(filter(None, [_("Finished."), _resumed(job)]))
    if job.status is ImportStatus.FAILED:
        return _("Stopped: %(error)s", error=job.error)
    read = ""
    if job.total_rows:
        read = _(
            "%(done)s of %(total)s rows",
            done=format_decimal(job.processed_rows),
            total=format_decimal(job.total_rows),
        )
    if job.stalled(now()):
        if not read:
            return _("The process importing it stopped; it will be resumed from there in a moment.")
        return _(
            "The process importing it stopped after %(read)s; it will be resumed from there "
            "in a moment.",
            read=read,
        )
    doing = _("Importing: %(read)s.", read=read) if read else _("Importing: reading the file.")
    return " ".join(filter(None, [doing, _resumed(job)]))


def _resumed(job: ImportJob) -> str:
    if not job.resumes:
        return ""
    if job.resumes == 1:
        return _(
            "Resumed once where the process importing it had stopped; no row was imported twice."
        )
    return ngettext(
        "Resumed %(num)s time where the process importing it had stopped; no row was imported "
        "twice.",
        "Resumed %(num)s times where the process importing it had stopped; no row was imported "
        "twice.",
        job.resumes,
    )


@blueprint.route("/imports/<int:job_id>")
@requires(Permission.IMPORT_COMPLAINTS)
def import_job(job_id: int):
    job = _job_or_404(job_id)
    issues = db.session.scalars(
        select(ImportRowIssue)
        .where(ImportRowIssue.job_id == job.id)
        .order_by(ImportRowIssue.row_number)
        .limit(ISSUES_SHOWN)
    ).all()
    issue_total = db.session.scalar(
        select(func.count()).select_from(ImportRowIssue).where(ImportRowIssue.job_id == job.id)
    )
    return render_template(
        "complaints/import_job.html",
        job=job,
        status_text=_progress_text(job),
        issues=issues,
        issue_total=issue_total,
        issues_shown=ISSUES_SHOWN,
    )


@blueprint.route("/imports/<int:job_id>/progress")
@requires(Permission.IMPORT_COMPLAINTS)
def import_progress(job_id: int):
    job = _job_or_404(job_id)
    return jsonify(
        {
            "status": job.status.value,
            "message": _progress_text(job),
            "stalled": job.stalled(now()),
            "resumes": job.resumes,
            "finished": job.finished,
            "percent": job.percent,
            "total_rows": job.total_rows,
            "processed_rows": job.processed_rows,
            "imported": job.imported_count,
            "duplicates": job.duplicate_count,
            "rejected": job.rejected_count,
            "ignored": job.ignored_count,
            "replies_kept": job.replies_kept_count,
            "error": job.error,
        }
    )


@blueprint.route("/imports/<int:job_id>/issues.csv")
@requires(Permission.IMPORT_COMPLAINTS)
def import_issues_csv(job_id: int):
    job = _job_or_404(job_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "outcome", "reason"])
    for issue in db.session.scalars(
        select(ImportRowIssue)
        .where(ImportRowIssue.job_id == job.id)
        .order_by(ImportRowIssue.row_number)
    ):
        writer.writerow([issue.row_number, issue.outcome, issue.reason])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=import-{job.id}-issues.csv"},
    )
