"""Admin: the home page with a card per admin area; Company details (what replies are
filled with), Tone policy (how severe each finding is), Workflow policy (cooling-off,
sign-off, publishing, response targets) and the Template library (read-only, checked).
HTTP in, operations out."""

from __future__ import annotations

import math
from dataclasses import asdict

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import IntegerField, StringField
from wtforms.validators import Optional

from app.accounts.models import Role
from app.accounts.permissions import Permission, can
from app.accounts.views import STATUS_LABELS as ACCOUNT_STATUS_LABELS
from app.accounts.views import accounts, accounts_by_role
from app.analysis.language import language_name
from app.analysis.rules import FLAG_LABELS, FLAGS
from app.audit.models import AuditEvent
from app.drafts import policy as workflow_settings
from app.drafts.composer import channel_info
from app.extensions import db
from app.services import company_defaults, workflow_defaults
from app.settings import company as company_settings
from app.settings import library as template_checks
from app.tone import policy as tone_policy_settings
from app.tone.catalogue import CODE_LABELS, CODES, DEFAULT_SEVERITIES, FIXED_SEVERITIES
from app.web.access import requires
from app.web.services import now, services

blueprint = Blueprint("settings", __name__, url_prefix="/admin")


class CompanyForm(FlaskForm):
    name = StringField("Company name", description="As customers know you.")
    phone = StringField("Phone number", description="Fills {company_phone}, e.g. 0808 157 0192.")
    email = StringField("Customer care e-mail", description="Fills {company_email}.")
    faq_url = StringField("Help page link", description="Fills {faq_url}; starts with https://.")
    dm_instruction = StringField(
        "How to reach you privately",
        description='Completes "Please …", e.g. "send us a DM with your order number".',
    )
    follow_up_days = IntegerField(
        "Follow up after (working days)",
        validators=[Optional()],
        description='Fills {follow_up_when}: 2 gives "by Wednesday" on a Monday.',
    )


@blueprint.route("/settings/company", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def company_details():
    current = services().company
    form = CompanyForm(data=asdict(current))
    status = 200
    if form.validate_on_submit():
        try:
            details = company_settings.clean(form.data)
        except company_settings.CompanyDetailsError as problem:
            for name, message in problem.fields.items():
                getattr(form, name).errors.append(message)
        else:
            company_settings.save(db.session, details, actor=current_user, now=now())
            db.session.commit()
            flash("Company details saved; new drafts use them.", "success")
            return redirect(url_for("settings.company_details"))
    if request.method == "POST":
        status = 400
    return (
        render_template(
            "settings/company.html", form=form, defaults=company_defaults(current_app.config)
        ),
        status,
    )


@blueprint.route("/settings/tone", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def tone_policy():
    """How severe each tone finding is, and the readability and sentiment lines."""
    current = tone_policy_settings.load(db.session)
    problems: dict[str, str] = {}
    values = current.as_settings()
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in values}
        try:
            chosen = tone_policy_settings.clean(values)
        except tone_policy_settings.TonePolicyError as problem:
            problems = problem.fields
        else:
            tone_policy_settings.save(db.session, chosen, actor=current_user, now=now())
            db.session.commit()
            flash("Tone policy saved; drafts are checked with it from now on.", "success")
            return redirect(url_for("settings.tone_policy"))
    return (
        render_template(
            "settings/tone.html",
            values=values,
            problems=problems,
            codes=CODES,
            labels=CODE_LABELS,
            defaults=DEFAULT_SEVERITIES,
            fixed=FIXED_SEVERITIES,
            choices=tone_policy_settings.CHOICES,
        ),
        400 if problems else 200,
    )


#: Cooling-off settings, shown in minutes: (setting, input name, label, hint).
COOLING_FIELDS = (
    ("base_seconds", "Base cooling-off", "Every submitted draft waits at least this long."),
    ("hot_extra_seconds", "Extra for a hot complaint", "Added when the complaint's heat is high."),
    (
        "warn_extra_seconds",
        "Extra when the tone checks warn",
        "Added when the draft has a finding that warns.",
    ),
    (
        "floor_seconds",
        "Never shorter than",
        "The least any draft cools off, whatever the rest says (1 minute at least).",
    ),
)
TARGET_UNITS = {"minutes": 60, "hours": 3600}


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:g}"


def _target_on_screen(seconds: int) -> tuple[str, str]:
    if seconds % 3600 == 0:
        return f"{seconds // 3600}", "hours"
    return _minutes(seconds), "minutes"


def _seconds_from(text: str, unit_seconds: int) -> int | None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return round(number * unit_seconds)


def _workflow_values(current: workflow_settings.WorkflowPolicy, channels) -> dict[str, str]:
    """What the form shows: minutes for cooling-off, a group per flag and finding, a
    publisher and a response target (with its unit) per channel."""
    values = {
        f"cooling_off.{name.removesuffix('_seconds')}_minutes": _minutes(
            getattr(current.cooling_off, name)
        )
        for name, _, _ in COOLING_FIELDS
    }
    values["cooling_off.edit_restart_percent"] = str(current.cooling_off.edit_restart_percent)
    for flag in FLAGS:
        values[f"signoff.flag.{flag}"] = current.signoff_flags.get(flag, workflow_settings.NOBODY)
    for code in CODES:
        values[f"signoff.finding.{code}"] = current.signoff_findings.get(
            code, workflow_settings.NOBODY
        )
    for channel in channels:
        values[f"publisher.{channel.key}"] = current.publisher(channel.key)
        amount, unit = _target_on_screen(channel.response_target_seconds)
        values[f"target.{channel.key}"], values[f"target_unit.{channel.key}"] = amount, unit
    return values


def _workflow_from(values: dict[str, str], channels) -> tuple[dict, dict, dict]:
    """The typed values as settings (seconds), as response targets (seconds), and what
    could not even be read as a number."""
    settings: dict[str, object] = {}
    problems: dict[str, str] = {}
    for name, _, _ in COOLING_FIELDS:
        field = f"cooling_off.{name.removesuffix('_seconds')}_minutes"
        seconds = _seconds_from(values[field], 60)
        if seconds is None:
            problems[field] = "A number of minutes, e.g. 10."
        else:
            settings[f"cooling_off.{name}"] = seconds
    settings["cooling_off.edit_restart_percent"] = values["cooling_off.edit_restart_percent"]
    for name, value in values.items():
        if name.startswith(("signoff.", "publisher.")):
            settings[name] = value
    targets: dict[str, int] = {}
    for channel in channels:
        unit = TARGET_UNITS.get(values[f"target_unit.{channel.key}"])
        seconds = _seconds_from(values[f"target.{channel.key}"], unit or 0) if unit else None
        if seconds is None:
            problems[f"target.{channel.key}"] = "A number of minutes or hours, e.g. 1 hour."
        else:
            targets[channel.key] = seconds
    return settings, targets, problems


def _on_screen(fields: dict[str, str]) -> dict[str, str]:
    """The policy's problems, named by the form's fields and said in its units."""
    shown = {}
    most = workflow_settings.MAX_SECONDS // 60
    for key, message in fields.items():
        name = key.removeprefix("cooling_off.")
        if key.startswith("cooling_off.") and name.endswith("_seconds"):
            field = f"cooling_off.{name.removesuffix('_seconds')}_minutes"
            if name == "floor_seconds":
                least = workflow_settings.MIN_FLOOR_SECONDS / 60
                message = f"From {least:g} to {most} minutes: cooling-off cannot be switched off."
            else:
                message = f"From 0 to {most} minutes (a day)."
            shown[field] = message
        elif key.startswith("target."):
            shown[key] = "From 1 minute to 24 hours."  # the form lists only known channels
        else:
            shown[key] = message
    return shown


@blueprint.route("/settings/workflow", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def workflow_policy():
    """Cooling-off, what needs sign-off by whom, how each channel publishes and each
    channel's response-time target."""
    defaults = workflow_defaults(current_app.config)
    channels = workflow_settings.response_targets(db.session)
    values = _workflow_values(services().workflow_policy, channels)
    problems: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip() for name in values}
        settings, targets, problems = _workflow_from(values, channels)
        chosen = None
        try:
            chosen = workflow_settings.clean(
                settings, defaults, workflow_settings.group_choices(db.session)
            )
        except workflow_settings.WorkflowPolicyError as problem:
            problems.update(_on_screen(problem.fields))
        try:
            workflow_settings.set_response_targets(
                db.session, targets, actor=current_user, now=now()
            )
        except workflow_settings.WorkflowPolicyError as problem:
            problems.update(_on_screen(problem.fields))
        if not problems and chosen is not None:
            workflow_settings.save(
                db.session, chosen, defaults=defaults, actor=current_user, now=now()
            )
            db.session.commit()
            flash("Workflow policy saved; it applies to the next submission.", "success")
            return redirect(url_for("settings.workflow_policy"))
        db.session.rollback()  # targets checked alongside stay unchanged
        channels = workflow_settings.response_targets(db.session)
    return (
        render_template(
            "settings/workflow.html",
            values=values,
            problems=problems,
            defaults=_workflow_values(defaults, []),
            cooling_fields=[
                (f"cooling_off.{name.removesuffix('_seconds')}_minutes", label, hint)
                for name, label, hint in COOLING_FIELDS
            ],
            flags=FLAGS,
            flag_labels=FLAG_LABELS,
            codes=CODES,
            code_labels=CODE_LABELS,
            groups=workflow_settings.group_choices(db.session),
            publishers=workflow_settings.PUBLISHERS,
            channels=channels,
            units=TARGET_UNITS,
            webhook_configured=bool(current_app.config.get("PUBLISH_WEBHOOK_URL")),
        ),
        400 if problems else 200,
    )


# --- the template library (read-only) ----------------------------------------------------


def _library_report() -> template_checks.LibraryReport:
    """The library as the files on disk say now, checked with this app's policy, company
    details and channels. Read afresh on every request: nothing here can go stale."""
    return template_checks.check_library(
        current_app.config["RESPONSE_TEMPLATES_DIR"],
        channels=[
            channel_info(channel)
            for channel in workflow_settings.response_targets(db.session)
            if channel.active
        ],
        policy=services().tone_policy,
        company=services().company,
        now=now(),
        timezone=current_app.config["DISPLAY_TIMEZONE"],
        running=services().library,
    )


@blueprint.route("/templates")
@requires(Permission.MANAGE_SETTINGS)
def template_library():
    """Every reply variant with its conditions and whether it passes the checks; filtered
    by part and by status from the query string."""
    section = request.args.get("part", "")
    status = request.args.get("status", "")
    section = section if section in template_checks.SECTIONS else ""
    status = status if status in template_checks.STATUSES else ""
    report = _library_report()
    shown = report.matching(section=section, status=status)
    return render_template(
        "settings/templates.html",
        report=report,
        shown=shown,
        section=section,
        status=status,
        sections=template_checks.SECTIONS,
        section_labels=template_checks.SECTION_LABELS,
        statuses=template_checks.STATUSES,
        status_labels=template_checks.STATUS_LABELS,
        language_name=language_name,
        running=services().library,
    )


# --- the admin home ----------------------------------------------------------------------


def _tone_changes(current: tone_policy_settings.TonePolicy) -> list[str]:
    """What the tone policy changes from the defaults, in words."""
    changes = [
        f"{CODE_LABELS[code]}: {current.severity(code)}"
        for code in CODES
        if current.severity(code) != DEFAULT_SEVERITIES[code]
    ]
    defaults = tone_policy_settings.TonePolicy()
    if current.readability_min != defaults.readability_min:
        changes.append(f"lowest reading ease {current.readability_min:g}")
    if current.negative_at != defaults.negative_at:
        changes.append(f"negative at {current.negative_at:g}")
    return changes


def _target_words(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{seconds / 60:g} min"


@blueprint.route("", endpoint="admin_home")
@requires(Permission.MANAGE_SETTINGS, Permission.MANAGE_USERS)
def admin_home():
    """A card per admin area, each with where it stands now."""
    areas: dict[str, object] = {}
    if can(current_user, Permission.MANAGE_USERS):
        listed = accounts(db.session, now=now())
        areas["users"] = {
            "by_role": accounts_by_role(listed),
            "total": len(listed),
            "counts": {
                status: sum(1 for account in listed if account.status == status)
                for status in ACCOUNT_STATUS_LABELS
            },
        }
    if can(current_user, Permission.MANAGE_SETTINGS):
        current_workflow = services().workflow_policy
        areas["company"] = template_checks.missing_company_details(services().company)
        areas["tone"] = {
            "changes": _tone_changes(services().tone_policy),
            "blocking": [
                CODE_LABELS[code]
                for code in CODES
                if services().tone_policy.severity(code) == "block"
            ],
        }
        areas["workflow"] = {
            "cooling_off": current_workflow.cooling_off,
            "targets": [
                (channel.name, _target_words(channel.response_target_seconds))
                for channel in workflow_settings.response_targets(db.session)
                if channel.active
            ],
        }
        areas["library"] = _library_report()
        areas["audit"] = {
            "count": db.session.scalar(select(func.count()).select_from(AuditEvent)),
            "latest": db.session.scalar(select(func.max(AuditEvent.at))),
        }
    return render_template(
        "settings/admin_home.html",
        areas=areas,
        roles=list(Role),
        account_status_labels=ACCOUNT_STATUS_LABELS,
        minutes=lambda seconds: f"{seconds / 60:g} min",
    )
